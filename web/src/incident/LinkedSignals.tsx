/** The signals linked to the incident, with the entities (users, hosts, addresses) they named. */
import { Instant } from '../components/Instant.tsx';
import { ErrorState, LoadingState } from '../components/States.tsx';
import { useApiResource } from '../components/useApiResource.ts';

interface Signal {
  id: string;
  source: string;
  kind: string;
  occurredAt: string;
  summary: string | null;
  entities: Record<string, string | number | undefined>;
}

export function LinkedSignals({ incidentId }: { incidentId: string }) {
  const signals = useApiResource<{ items: Signal[] }>(`/api/v1/signals?incident=${incidentId}&limit=100`);
  return (
    <section className="incident-section" aria-labelledby="signals-heading">
      <h2 id="signals-heading">Linked signals</h2>
      {signals.error ? (
        <ErrorState error={signals.error} retry={() => void signals.reload()} />
      ) : !signals.data ? (
        <LoadingState label="Loading signals" />
      ) : signals.data.items.length === 0 ? (
        <p className="muted">No signals are linked: this incident was declared by hand.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Occurred</th>
                <th scope="col">Source / kind</th>
                <th scope="col">Summary</th>
                <th scope="col">Entities</th>
              </tr>
            </thead>
            <tbody>
              {signals.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Instant at={s.occurredAt} />
                  </td>
                  <td>
                    {s.source} / {s.kind}
                  </td>
                  <td className="signal-summary">{s.summary ?? '—'}</td>
                  <td>
                    <Entities entities={s.entities} />
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

/** The first few entities at once; the rest (resource ids, counters) one click away. */
function Entities({ entities }: { entities: Signal['entities'] }) {
  const all = Object.entries(entities).filter(([, v]) => v !== undefined && v !== '');
  const item = ([k, v]: [string, unknown]) => (
    <li key={k}>
      <span className="muted">{k}:</span> {String(v)}
    </li>
  );
  return (
    <>
      <ul className="entities">{all.slice(0, 4).map(item)}</ul>
      {all.length > 4 && (
        <details>
          <summary>{all.length - 4} more</summary>
          <ul className="entities">{all.slice(4).map(item)}</ul>
        </details>
      )}
    </>
  );
}
