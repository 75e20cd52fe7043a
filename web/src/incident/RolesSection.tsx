/** Who holds which incident role; assign, remove, and hand command over with a reason. */
import { useState } from 'react';
import { del, post } from '../api.ts';
import { ErrorState } from '../components/States.tsx';
import { useApiAction } from '../components/useApiResource.ts';
import type { Incident, Person } from './types.ts';

const ROLES = [
  ['owner', 'Owner'],
  ['responder', 'Responder'],
  ['communications_lead', 'Communications lead'],
  ['regulator_approver', 'Regulator approver'],
] as const;

export function RolesSection({
  incident,
  onChanged,
  readOnly = false,
}: {
  incident: Incident;
  onChanged: () => void;
  readOnly?: boolean;
}) {
  const base = `/api/v1/incidents/${incident.id}`;
  const assign = useApiAction();
  const remove = useApiAction();
  const handover = useApiAction();
  const [role, setRole] = useState('responder');
  const [email, setEmail] = useState('');
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const holders = (r: string): Person[] => {
    const value = incident.roles[r as keyof Incident['roles']];
    return Array.isArray(value) ? value : value ? [value] : [];
  };

  return (
    <section className="incident-section" aria-labelledby="roles-heading">
      <h2 id="roles-heading">Roles</h2>
      <dl className="roles">
        {ROLES.map(([id, label]) => (
          <div key={id}>
            <dt>{label}</dt>
            <dd>
              {holders(id).length === 0 && <em>Nobody</em>}
              {holders(id).map((p) => (
                <span key={p.email} className="role-holder">
                  {p.name} <span className="muted">({p.email})</span>{' '}
                  {id !== 'owner' && !readOnly && (
                    <button
                      type="button"
                      disabled={remove.busy}
                      aria-label={`Remove ${p.name} as ${label}`}
                      onClick={() =>
                        void remove.run(() => del(`${base}/roles`, { role: id, user: p.email }), onChanged)
                      }
                    >
                      Remove
                    </button>
                  )}
                </span>
              ))}
            </dd>
          </div>
        ))}
      </dl>
      {remove.error !== null && <ErrorState error={remove.error} />}
      {!readOnly && (
        <>
          <form
            className="inline-form"
            aria-label="Assign a role"
            onSubmit={(e) => {
              e.preventDefault();
              void assign.run(
                () => post(`${base}/roles`, { role, user: email.trim() }),
                () => {
                  setEmail('');
                  onChanged();
                },
              );
            }}
          >
            <div>
              <label htmlFor="role-role">Role</label>
              <select id="role-role" value={role} onChange={(e) => setRole(e.target.value)}>
                {ROLES.map(([id, label]) => (
                  <option key={id} value={id}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <div className="grow">
              <label htmlFor="role-email">Person's email</label>
              <input
                id="role-email"
                type="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </div>
            <button type="submit" disabled={assign.busy}>
              Assign
            </button>
          </form>
          {assign.error !== null && <ErrorState error={assign.error} />}
          <form
            className="inline-form"
            aria-label="Hand over command"
            onSubmit={(e) => {
              e.preventDefault();
              void handover.run(
                () =>
                  post(`${base}/handover`, {
                    ...(to.trim() ? { to: to.trim() } : {}),
                    reason: reason.trim(),
                  }),
                () => {
                  setTo('');
                  setReason('');
                  onChanged();
                },
              );
            }}
          >
            <div>
              <label htmlFor="handover-to">Hand over to (empty: next in succession)</label>
              <input id="handover-to" type="email" value={to} onChange={(e) => setTo(e.target.value)} />
            </div>
            <div className="grow">
              <label htmlFor="handover-reason">Reason</label>
              <input
                id="handover-reason"
                required
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </div>
            <button type="submit" disabled={handover.busy}>
              Hand over
            </button>
          </form>
          {handover.error !== null && <ErrorState error={handover.error} />}
        </>
      )}
    </section>
  );
}
