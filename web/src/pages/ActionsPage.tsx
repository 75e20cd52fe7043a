import './pages.css';
import { useState } from 'react';
import { patch } from '../api.ts';
import { ActionProblem } from '../components/ActionProblem.tsx';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/States.tsx';
import { useApiAction, useApiResource } from '../components/useApiResource.ts';
import { Link, useQueryState } from '../router.tsx';
import { useSession } from '../session.tsx';

const STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
type Status = (typeof STATUSES)[number];
const STATUS_WORDS: Record<Status, string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
  wont_do: "Won't do",
};

interface Action {
  id: string;
  incidentId: string | null;
  exerciseId: string | null;
  title: string;
  kind: string;
  owner: string;
  dueDate: string;
  status: Status;
  wontDoReason: string | null;
}

/** Today in the viewer's calendar as `YYYY-MM-DD`, to tell overdue actions apart. */
function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function isOverdue(a: Action): boolean {
  return (a.status === 'open' || a.status === 'in_progress') && a.dueDate < today();
}

/** The query for the list: what the URL's filters ask the API for. */
function listPath(query: URLSearchParams): string {
  const params = new URLSearchParams();
  const owner = query.get('owner');
  const status = query.get('status');
  if (owner) params.set('owner', owner);
  if (status) params.set('status', status);
  if (query.get('overdue') === 'true') params.set('overdue', 'true');
  const search = params.toString();
  return `/api/v1/actions${search ? `?${search}` : ''}`;
}

function StatusChange({ action, onChanged }: { action: Action; onChanged: () => Promise<void> }) {
  const [next, setNext] = useState<Status>(action.status);
  const [reason, setReason] = useState('');
  const { busy, error, run } = useApiAction();
  const save = () =>
    run(
      () =>
        patch(`/api/v1/actions/${action.id}`, {
          status: next,
          ...(next === 'wont_do' ? { wontDoReason: reason } : {}),
        }),
      onChanged,
    );
  return (
    <form
      className="button-row"
      aria-label={`Status of ${action.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label className="visually-hidden" htmlFor={`status-${action.id}`}>
        New status for {action.title}
      </label>
      <select id={`status-${action.id}`} value={next} onChange={(e) => setNext(e.target.value as Status)}>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {STATUS_WORDS[s]}
          </option>
        ))}
      </select>
      {next === 'wont_do' && (
        <>
          <label className="visually-hidden" htmlFor={`reason-${action.id}`}>
            Reason it will not be done
          </label>
          <input
            id={`reason-${action.id}`}
            placeholder="Why not"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </>
      )}
      <button type="submit" disabled={busy || next === action.status}>
        Update
      </button>
      <ActionProblem error={error} />
    </form>
  );
}

/** Corrective and preventive actions from reviews and exercises: open, overdue, by owner. */
export default function ActionsPage() {
  const [query, setQuery] = useQueryState();
  const { user } = useSession();
  const list = useApiResource<{ items: Action[] }>(listPath(query));
  const [owner, setOwner] = useState(query.get('owner') ?? '');
  const items = list.data?.items ?? [];

  return (
    <section aria-labelledby="actions-title">
      <div className="page-head">
        <h1 id="actions-title">Actions</h1>
      </div>
      <p className="lead">
        What reviews and exercises decided to change, who owns it and by when. Overdue actions count against
        compliance.
      </p>
      <form
        className="filters"
        aria-label="Filter actions"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery('owner', owner.trim());
        }}
      >
        <FilterSelect
          className="filter"
          idPrefix="action"
          name="status"
          label="Status"
          anyLabel="Any status"
          value={query.get('status')}
          options={STATUSES.map((v) => [v, STATUS_WORDS[v]] as const)}
          onChange={setQuery}
        />
        <div className="filter">
          <label htmlFor="action-owner">Owner (email)</label>
          <input
            id="action-owner"
            type="email"
            value={owner}
            onChange={(e) => setOwner(e.target.value)}
            onBlur={() => setQuery('owner', owner.trim())}
          />
        </div>
        <div className="filter">
          <label>
            <input
              type="checkbox"
              checked={query.get('overdue') === 'true'}
              onChange={(e) => setQuery('overdue', e.target.checked ? 'true' : null)}
            />{' '}
            Overdue only
          </label>
        </div>
        <button type="submit">Apply</button>
        <button
          type="button"
          onClick={() => {
            setOwner(user.email);
            setQuery('owner', user.email);
          }}
        >
          Mine
        </button>
      </form>
      {list.error ? <ErrorState error={list.error} retry={() => void list.reload()} /> : null}
      {list.loading && !list.data ? <LoadingState label="Loading actions" /> : null}
      {list.data && items.length === 0 ? <EmptyState>No actions match these filters.</EmptyState> : null}
      {items.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">From</th>
                <th scope="col">Owner</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td>
                    {a.title} <span className="tag">{a.kind}</span>
                  </td>
                  <td>
                    {a.incidentId ? (
                      <Link to={`/incidents/${a.incidentId}`}>Incident</Link>
                    ) : a.exerciseId ? (
                      'Exercise'
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{a.owner}</td>
                  <td className="nowrap">
                    {a.dueDate} {isOverdue(a) && <strong className="status-bad">overdue</strong>}
                  </td>
                  <td>
                    {STATUS_WORDS[a.status]}
                    {a.wontDoReason && <div className="muted">{a.wontDoReason}</div>}
                  </td>
                  <td>
                    <StatusChange action={a} onChanged={list.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
