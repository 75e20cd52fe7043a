import './pages.css';
import { useEffect, useState } from 'react';
// The server's own vocabulary (pure constants, bundled at build time), so the filters list what ingestion produces.
import { SIGNAL_KINDS, SIGNAL_SOURCES } from '../../../src/signal/signal-types.ts';
import { get } from '../api.ts';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/States.tsx';
import { Timestamp } from '../components/Timestamp.tsx';
import { useApiResource } from '../components/useApiResource.ts';
import { Link, useQueryState } from '../router.tsx';

interface SignalLink {
  incidentId: string;
  reference: string;
  ruleId: string | null;
}
interface Signal {
  id: string;
  source: string;
  kind: string;
  severityHint: string;
  status: string;
  occurredAt: string;
  summary: string;
  entities: Record<string, string | number>;
  incidents: SignalLink[];
}
interface SignalPage {
  items: Signal[];
  nextCursor: string | null;
}

/** `2026-11-27T10:00` in the viewer's zone, for a datetime-local input; from an ISO instant. */
function localInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const FILTERS = ['source', 'kind', 'entity', 'from', 'to'] as const;

/** The signals list's query: the page's filters from the URL, and a page of 100. */
function listPath(query: URLSearchParams, cursor: string | null): string {
  const params = new URLSearchParams();
  for (const key of FILTERS) {
    const value = query.get(key);
    if (value) params.set(key, value);
  }
  params.set('limit', '100');
  if (cursor) params.set('cursor', cursor);
  return `/api/v1/signals?${params}`;
}

/** Rule ids to names from the policy in force; ids alone when the policy cannot be read. */
function useRuleNames(): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    get<{ policy: { detection: { rules: { id: string; name: string }[] } } }>('/api/v1/policy')
      .then((p) => setNames(Object.fromEntries(p.policy.detection.rules.map((r) => [r.id, r.name]))))
      .catch(() => undefined);
  }, []);
  return names;
}

const SHOWN_ENTITIES = ['principal', 'clientIp', 'database', 'application', 'resourceId', 'alertType'];

/** A long Azure resource id reads as its last part; the whole id is on hover. */
function entityValue(name: string, value: string | number) {
  const text = String(value);
  if (name !== 'resourceId' || !text.includes('/')) return text;
  return <span title={text}>…/{text.split('/').filter(Boolean).at(-1)}</span>;
}

function Entities({ entities }: { entities: Signal['entities'] }) {
  const shown = Object.entries(entities).filter(([k]) => SHOWN_ENTITIES.includes(k));
  if (shown.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="entity-list">
      {shown.map(([k, v]) => (
        <li key={k}>
          <span className="muted">{k}:</span> {entityValue(k, v)}
        </li>
      ))}
    </ul>
  );
}

function Links({ links, rules }: { links: SignalLink[]; rules: Record<string, string> }) {
  if (links.length === 0) return <span className="muted">Not linked</span>;
  return (
    <ul className="entity-list">
      {links.map((l) => (
        <li key={l.incidentId}>
          <Link to={`/incidents/${l.reference}`}>{l.reference}</Link>{' '}
          <span className="muted">{l.ruleId ? `by ${rules[l.ruleId] ?? l.ruleId}` : 'linked by hand'}</span>
        </li>
      ))}
    </ul>
  );
}

function Filters() {
  const [query, setQuery] = useQueryState();
  const [entity, setEntity] = useState(query.get('entity') ?? '');
  const setInstant = (key: string, value: string) =>
    setQuery(key, value ? new Date(value).toISOString() : null);
  return (
    <form
      className="filters"
      aria-label="Filter signals"
      onSubmit={(e) => {
        e.preventDefault();
        setQuery('entity', entity.trim());
      }}
    >
      <FilterSelect
        className="filter"
        idPrefix="signal"
        name="source"
        label="Source"
        anyLabel="Any source"
        value={query.get('source')}
        options={SIGNAL_SOURCES.map((v) => [v, v] as const)}
        onChange={setQuery}
      />
      <FilterSelect
        className="filter"
        idPrefix="signal"
        name="kind"
        label="Kind"
        anyLabel="Any kind"
        value={query.get('kind')}
        options={SIGNAL_KINDS.map((v) => [v, v] as const)}
        onChange={setQuery}
      />
      <div className="filter">
        <label htmlFor="signal-entity">Entity (name:value)</label>
        <input
          id="signal-entity"
          value={entity}
          placeholder="principal:svc_dbadmin"
          onChange={(e) => setEntity(e.target.value)}
          onBlur={() => setQuery('entity', entity.trim())}
        />
      </div>
      <div className="filter">
        <label htmlFor="signal-from">Occurred from</label>
        <input
          id="signal-from"
          type="datetime-local"
          value={localInput(query.get('from'))}
          onChange={(e) => setInstant('from', e.target.value)}
        />
      </div>
      <div className="filter">
        <label htmlFor="signal-to">Occurred before</label>
        <input
          id="signal-to"
          type="datetime-local"
          value={localInput(query.get('to'))}
          onChange={(e) => setInstant('to', e.target.value)}
        />
      </div>
      <button type="submit">Apply</button>
    </form>
  );
}

/** Stored signals, newest first, filtered in the URL, each with the incident and rule it fed. */
export default function SignalsPage() {
  const [query] = useQueryState();
  const [cursor, setCursor] = useState<string | null>(null);
  const [earlier, setEarlier] = useState<Signal[]>([]);
  const filterKey = FILTERS.map((k) => query.get(k) ?? '').join('|');
  // A new filter starts again from the newest signal.
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey stands for the filters in the URL.
  useEffect(() => {
    setCursor(null);
    setEarlier([]);
  }, [filterKey]);
  const page = useApiResource<SignalPage>(listPath(query, cursor));
  const rules = useRuleNames();
  const items = [...earlier, ...(page.data?.items ?? [])];

  return (
    <section aria-labelledby="signals-title">
      <div className="page-head">
        <h1 id="signals-title">Signals</h1>
      </div>
      <p className="lead">
        What the connected sources sent, as Vigil stored it. Linked signals name the incident and the
        detection rule that fired on them.
      </p>
      <Filters />
      {page.error ? <ErrorState error={page.error} retry={() => void page.reload()} /> : null}
      {page.loading && items.length === 0 ? <LoadingState label="Loading signals" /> : null}
      {!page.loading && !page.error && items.length === 0 ? (
        <EmptyState>No signals match these filters.</EmptyState>
      ) : null}
      {items.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption className="muted">{items.length} signals, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Occurred</th>
                <th scope="col">Source</th>
                <th scope="col">Kind</th>
                <th scope="col">Summary</th>
                <th scope="col">Entities</th>
                <th scope="col">Incident and rule</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <td className="nowrap">
                    <Timestamp at={s.occurredAt} />
                  </td>
                  <td className="nowrap">{s.source}</td>
                  <td>
                    {s.kind}
                    {s.status === 'resolved' && <span className="tag"> resolved</span>}
                  </td>
                  <td>{s.summary}</td>
                  <td>
                    <Entities entities={s.entities} />
                  </td>
                  <td>
                    <Links links={s.incidents ?? []} rules={rules} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.data?.nextCursor && (
        <button
          type="button"
          disabled={page.loading}
          onClick={() => {
            setEarlier(items);
            setCursor(page.data?.nextCursor ?? null);
          }}
        >
          Show older signals
        </button>
      )}
    </section>
  );
}
