/** Customers the incident affects: link from the customer list, unlink with one button each. */
import { useState } from 'react';
import { del, post } from '../api.ts';
import { ErrorState } from '../components/States.tsx';
import { useApiAction, useApiResource } from '../components/useApiResource.ts';
import type { Incident } from './types.ts';

export function AffectedCustomers({
  incident,
  onChanged,
  readOnly = false,
}: {
  incident: Incident;
  onChanged: () => void;
  readOnly?: boolean;
}) {
  const customers = useApiResource<{ items: { id: string; name: string }[] }>(
    readOnly ? null : '/api/v1/customers',
  );
  const action = useApiAction();
  const [chosen, setChosen] = useState('');
  // The API records why a customer is linked or unlinked: one reason field serves both.
  const [reason, setReason] = useState('');
  const path = `/api/v1/incidents/${incident.id}/affected-customers`;
  const linked = new Set(incident.affectedCustomers.map((c) => c.id));
  const candidates = (customers.data?.items ?? []).filter((c) => !linked.has(c.id));
  return (
    <section className="incident-section" aria-labelledby="customers-heading">
      <h2 id="customers-heading">Affected customers</h2>
      {incident.affectedCustomers.length === 0 ? (
        <p className="muted">No customers are linked as affected.</p>
      ) : (
        <ul className="customer-list">
          {incident.affectedCustomers.map((c) => (
            <li key={c.id}>
              {c.name}{' '}
              {!readOnly && (
                <button
                  type="button"
                  disabled={action.busy || !reason.trim()}
                  aria-label={`Unlink ${c.name}`}
                  title={reason.trim() ? undefined : 'Write the reason below first'}
                  onClick={() =>
                    void action.run(
                      () => del(path, { customerIds: [c.id], reason: reason.trim() }),
                      () => {
                        setReason('');
                        onChanged();
                      },
                    )
                  }
                >
                  Unlink
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {readOnly ? null : customers.error ? (
        <ErrorState error={customers.error} />
      ) : (
        <form
          className="inline-form"
          aria-label="Link a customer"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen)
              void action.run(
                () => post(path, { customerIds: [chosen], reason: reason.trim() }),
                () => {
                  setChosen('');
                  setReason('');
                  onChanged();
                },
              );
          }}
        >
          <div>
            <label htmlFor="customer-link">Customer</label>
            <select id="customer-link" value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">Choose a customer</option>
              {candidates.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="customer-reason">Reason</label>
            <input
              id="customer-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. their orders table was read"
            />
          </div>
          <button type="submit" disabled={action.busy || !chosen || !reason.trim()}>
            Link as affected
          </button>
        </form>
      )}
      {action.error !== null && <ErrorState error={action.error} />}
    </section>
  );
}
