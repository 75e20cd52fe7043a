/** Corrective and preventive actions: adding one with an owner and a target date, and moving each on. */
import { useState } from 'react';
import { patch, post } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { FieldWithError } from '../../components/FieldWithError.tsx';
import { EmptyState } from '../../components/States.tsx';
import { useApiAction } from '../../components/useApiResource.ts';
import { ACTION_STATUS_WORDS, type CorrectiveAction } from './review-shapes.ts';
import { StatusWord } from './status-word.tsx';

type Status = CorrectiveAction['status'];

function ActionRow({ a, onChanged }: { a: CorrectiveAction; onChanged: () => Promise<void> }) {
  const [status, setStatus] = useState<Status>(a.status);
  const [reason, setReason] = useState('');
  const action = useApiAction();
  const changed = status !== a.status;
  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = { status, ...(status === 'wont_do' ? { wontDoReason: reason } : {}) };
    await action.run(() => patch(`/api/v1/actions/${a.id}`, body), onChanged);
  };
  return (
    <li className="item-card">
      <h4>
        {a.title} <StatusWord status={a.status} />
      </h4>
      <p className="item-meta">
        {a.kind} · owner {a.owner} · due {a.dueDate}
        {a.wontDoReason ? ` · won’t do: ${a.wontDoReason}` : ''}
        {a.signedOffBy ? ` (signed off by ${a.signedOffBy.replace(/^user:/, '')})` : ''}
      </p>
      <form onSubmit={save} aria-label={`Update ${a.title}`} className="form-grid">
        <FieldWithError label="Status" error={action.error} field="status">
          {(c) => (
            <select {...c} value={status} onChange={(e) => setStatus(e.target.value as Status)}>
              {Object.entries(ACTION_STATUS_WORDS).map(([value, word]) => (
                <option key={value} value={value}>
                  {word}
                </option>
              ))}
            </select>
          )}
        </FieldWithError>
        {status === 'wont_do' && changed && (
          <FieldWithError label="Why it will not be done" error={action.error} field="wontDoReason">
            {(c) => <input {...c} required value={reason} onChange={(e) => setReason(e.target.value)} />}
          </FieldWithError>
        )}
        <div className="wide">
          <ActionProblem error={action.error} shownAtFields={['status', 'wontDoReason']} />
          <button type="submit" disabled={!changed || action.busy}>
            Update status
          </button>
        </div>
      </form>
    </li>
  );
}

function AddActionForm({ incidentId, onAdded }: { incidentId: string; onAdded: () => Promise<void> }) {
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<CorrectiveAction['kind']>('corrective');
  const [owner, setOwner] = useState('');
  const [dueDate, setDueDate] = useState('');
  const action = useApiAction();
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const ok = await action.run(
      () => post(`/api/v1/incidents/${incidentId}/actions`, { title, kind, owner, dueDate }),
      onAdded,
    );
    if (ok) {
      setTitle('');
      setOwner('');
      setDueDate('');
    }
  };
  const e = action.error;
  return (
    <form onSubmit={submit} aria-label="Add an action">
      <h4>Add an action</h4>
      <div className="form-grid">
        <div className="wide">
          <FieldWithError label="Title" error={e} field="title">
            {(c) => <input {...c} required value={title} onChange={(x) => setTitle(x.target.value)} />}
          </FieldWithError>
        </div>
        <FieldWithError label="Kind" error={e} field="kind">
          {(c) => (
            <select {...c} value={kind} onChange={(x) => setKind(x.target.value as CorrectiveAction['kind'])}>
              <option value="corrective">Corrective</option>
              <option value="preventive">Preventive</option>
            </select>
          )}
        </FieldWithError>
        <FieldWithError label="Owner’s email" error={e} field="owner">
          {(c) => (
            <input {...c} type="email" required value={owner} onChange={(x) => setOwner(x.target.value)} />
          )}
        </FieldWithError>
        <FieldWithError label="Target date" error={e} field="dueDate">
          {(c) => (
            <input {...c} type="date" required value={dueDate} onChange={(x) => setDueDate(x.target.value)} />
          )}
        </FieldWithError>
      </div>
      <ActionProblem error={e} shownAtFields={['title', 'kind', 'owner', 'dueDate']} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy}>
          Add the action
        </button>
      </div>
    </form>
  );
}

export function ReviewActions({
  incidentId,
  actions,
  onChanged,
}: {
  incidentId: string;
  actions: CorrectiveAction[];
  onChanged: () => Promise<void>;
}) {
  return (
    <>
      {actions.length === 0 ? (
        <EmptyState>No actions yet.</EmptyState>
      ) : (
        <ul className="item-list">
          {actions.map((a) => (
            <ActionRow key={`${a.id}:${a.status}`} a={a} onChanged={onChanged} />
          ))}
        </ul>
      )}
      <AddActionForm incidentId={incidentId} onAdded={onChanged} />
    </>
  );
}
