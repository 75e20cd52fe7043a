/**
 * The first screen: open incidents with their clocks counting down live. Filters live in the URL
 * (a filtered board is a link to share); pages follow the API's cursor, 50 at a time, so a board
 * over thousands of open incidents renders its first page at once.
 */
import '../components/console-parts.css';
import './BoardPage.css';
import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from '../api.ts';
import { ClockBadge, useNow } from '../components/ClockBadge.tsx';
import { DeclareIncident } from '../components/DeclareIncident.tsx';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { FirstRun } from '../components/FirstRun.tsx';
import { Instant } from '../components/Instant.tsx';
import { ErrorState, LoadingState } from '../components/States.tsx';
import { useLiveEvents } from '../components/useLiveEvents.ts';
import { usePolicyOutline } from '../components/usePolicy.ts';
import { phaseLabel, severityLabel } from '../format.ts';
import type { Incident } from '../incident/types.ts';
import { Link, useQueryState } from '../router.tsx';
import { useCan } from '../session.tsx';

type Summary = Omit<Incident, 'components' | 'checklist' | 'runbook' | 'affectedCustomers' | 'breach'>;

const FILTERS = ['severity', 'phase', 'owner', 'breached', 'outOfHours', 'exercise'] as const;

function listUrl(query: URLSearchParams, cursor: string | undefined): string {
  const params = new URLSearchParams({ limit: '50', open: 'true' });
  for (const key of FILTERS) {
    const value = query.get(key);
    if (value) params.set(key, value);
  }
  if (cursor) params.set('cursor', cursor);
  return `/api/v1/incidents?${params}`;
}

export default function BoardPage() {
  const [query, setQuery] = useQueryState();
  const outline = usePolicyOutline();
  const can = useCan();
  const filterKey = FILTERS.map((k) => `${k}=${query.get(k) ?? ''}`).join('&');
  // Cursors of the pages visited, so "Previous" goes back without the API paging backwards.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ items: Summary[]; nextCursor: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [changed, setChanged] = useState(false);
  const now = useNow();
  const cursor = cursors.at(-1);
  const url = listUrl(query, cursor);
  const latestUrl = useRef(url);
  latestUrl.current = url;

  const load = useCallback(async () => {
    try {
      const answer = await get<{ items: Summary[]; nextCursor: string | null }>(url);
      if (latestUrl.current !== url) return;
      setPage(answer);
      setError(null);
      setChanged(false);
    } catch (e) {
      setError(e);
    }
  }, [url]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts again from the first page.
  useEffect(() => setCursors([undefined]), [filterKey]);
  useEffect(() => {
    void load();
  }, [load]);

  const onFirstPage = cursors.length === 1;
  useLiveEvents(null, {
    onIncident: () => (onFirstPage ? void load() : setChanged(true)),
    onPoll: () => (onFirstPage ? void load() : undefined),
  });

  const filtered = FILTERS.some((k) => query.get(k));
  return (
    <>
      <div className="board-head">
        <h1>Open incidents</h1>
        {can('incidents:declare') && outline && <DeclareIncident severities={outline.severities} />}
      </div>
      <form className="board-filters" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect
          idPrefix="filter"
          anyLabel="Any"
          label="Severity"
          name="severity"
          value={query.get('severity')}
          onChange={setQuery}
          options={(outline?.severities ?? []).map((s) => [s.id, s.name])}
        />
        <FilterSelect
          idPrefix="filter"
          anyLabel="Any"
          label="Phase"
          name="phase"
          value={query.get('phase')}
          onChange={setQuery}
          options={(outline?.phases ?? []).filter((p) => p.id !== 'closed').map((p) => [p.id, p.name])}
        />
        <div>
          <label htmlFor="filter-owner">Owner email</label>
          <input
            id="filter-owner"
            type="email"
            defaultValue={query.get('owner') ?? ''}
            onBlur={(e) => setQuery('owner', e.target.value.trim() || null)}
            onKeyDown={(e) => e.key === 'Enter' && setQuery('owner', e.currentTarget.value.trim() || null)}
          />
        </div>
        <FilterSelect
          idPrefix="filter"
          anyLabel="Any"
          label="Clocks"
          name="breached"
          value={query.get('breached')}
          onChange={setQuery}
          options={[
            ['true', 'A clock breached'],
            ['false', 'No clock breached'],
          ]}
        />
        <FilterSelect
          idPrefix="filter"
          anyLabel="Any"
          label="Opened"
          name="outOfHours"
          value={query.get('outOfHours')}
          onChange={setQuery}
          options={[
            ['true', 'Out of hours'],
            ['false', 'In business hours'],
          ]}
        />
        <FilterSelect
          idPrefix="filter"
          anyLabel="Any"
          label="Kind"
          name="exercise"
          value={query.get('exercise')}
          onChange={setQuery}
          options={[
            ['false', 'Real incidents'],
            ['true', 'Exercises'],
          ]}
        />
      </form>
      {changed && (
        <p className="board-notice" role="status">
          Incidents changed since this page loaded.{' '}
          <button type="button" onClick={() => setCursors([undefined])}>
            Back to the newest
          </button>
        </p>
      )}
      {error ? (
        <ErrorState error={error} retry={() => void load()} />
      ) : !page ? (
        <LoadingState label="Loading incidents" />
      ) : page.items.length === 0 ? (
        filtered || !onFirstPage ? (
          <p className="state">No open incidents match these filters.</p>
        ) : (
          <FirstRun onLoaded={load} />
        )
      ) : (
        <IncidentTable items={page.items} now={now} />
      )}
      <nav className="board-pages" aria-label="Pages">
        <button type="button" disabled={onFirstPage} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor ?? undefined])}
        >
          Next page
        </button>
      </nav>
    </>
  );
}

function IncidentTable({ items, now }: { items: Summary[]; now: number }) {
  return (
    <div className="table-scroll">
      <table className="board">
        <caption className="visually-hidden">Open incidents, newest opened first</caption>
        <thead>
          <tr>
            <th scope="col">Incident</th>
            <th scope="col">Severity</th>
            <th scope="col">Phase</th>
            <th scope="col">Owner</th>
            <th scope="col">Clocks</th>
            <th scope="col">Opened</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <td>
                <Link to={`/incidents/${i.reference}`} className="board-ref">
                  {i.reference}
                </Link>{' '}
                {i.exercise && <span className="badge badge-exercise">Exercise</span>}
                <div>{i.title}</div>
              </td>
              <td>
                <span className={`severity severity-${i.severity}`}>{severityLabel(i.severity)}</span>
              </td>
              <td>{phaseLabel(i.phase)}</td>
              <td>{i.owner ? <span title={i.owner.email}>{i.owner.name}</span> : <em>Unassigned</em>}</td>
              <td>
                <ul className="board-clocks">
                  {Object.entries(i.sla).map(([name, clock]) =>
                    clock ? (
                      <li key={name}>
                        <ClockBadge name={name} clock={clock} now={now} compact />
                      </li>
                    ) : null,
                  )}
                </ul>
              </td>
              <td>
                <Instant at={i.openedAt} />
                {i.outOfHours && <div className="muted">out of hours</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
