import './pages.css';
import { ErrorState, LoadingState } from '../components/States.tsx';
import { Timestamp } from '../components/Timestamp.tsx';
import { useApiResource } from '../components/useApiResource.ts';
import { Link } from '../router.tsx';

interface Status {
  generatedAt: string;
  onTrack: boolean;
  incidents: { breachedClocks: { reference: string; title: string; severity: string; phase: string }[] };
  reviews: { notApproved: { reference: string; title: string; state: string }[] };
  actions: { open: number; overdue: { id: string; title: string; owner: string; dueDate: string }[] };
  exercises: { state: 'on_track' | 'warning' | 'overdue'; lastCompletedOn: string | null; nextDueAt: string };
  breaches: {
    running: { reference: string; regime: string; obligation: string; dueAt: string | null; state: string }[];
  };
}

function Verdict({ ok, good, bad }: { ok: boolean; good: string; bad: string }) {
  return <p className={ok ? 'status-ok' : 'status-bad'}>{ok ? `✓ ${good}` : `✗ ${bad}`}</p>;
}

function IncidentRef({ reference }: { reference: string }) {
  return <Link to={`/incidents/${reference}`}>{reference}</Link>;
}

/** Where the organisation stands against its own policy, in sentences and lists. */
export default function CompliancePage() {
  const { data, error, loading, reload } = useApiResource<Status>('/api/v1/compliance/status');
  return (
    <section aria-labelledby="compliance-title">
      <div className="page-head">
        <h1 id="compliance-title">Compliance</h1>
        <button type="button" onClick={() => void reload()} disabled={loading}>
          Refresh
        </button>
      </div>
      {error ? <ErrorState error={error} retry={() => void reload()} /> : null}
      {!data && loading && <LoadingState label="Loading the compliance status" />}
      {data && (
        <>
          <p className="lead">
            As of <Timestamp at={data.generatedAt} />:{' '}
            <strong className={data.onTrack ? 'status-ok' : 'status-bad'}>
              {data.onTrack ? 'on track with the policy' : 'not on track with the policy'}
            </strong>
            . Exercise incidents are not counted.
          </p>
          <div className="cards">
            <div className="card">
              <h2>Response clocks</h2>
              <Verdict
                ok={data.incidents.breachedClocks.length === 0}
                good="No open incident has a breached clock."
                bad={`${data.incidents.breachedClocks.length} breached clocks on open incidents.`}
              />
              <ul>
                {data.incidents.breachedClocks.map((c) => (
                  <li key={c.reference}>
                    <IncidentRef reference={c.reference} /> {c.title} ({c.severity}, {c.phase})
                  </li>
                ))}
              </ul>
            </div>
            <div className="card">
              <h2>Reviews</h2>
              <Verdict
                ok={data.reviews.notApproved.length === 0}
                good="Every review the policy asks for is approved."
                bad={`${data.reviews.notApproved.length} reviews waiting for approval.`}
              />
              <ul>
                {data.reviews.notApproved.map((r) => (
                  <li key={r.reference}>
                    <IncidentRef reference={r.reference} /> {r.title} ({r.state.replace('_', ' ')})
                  </li>
                ))}
              </ul>
            </div>
            <div className="card">
              <h2>Actions</h2>
              <Verdict
                ok={data.actions.overdue.length === 0}
                good={`${data.actions.open} open actions, none overdue.`}
                bad={`${data.actions.overdue.length} of ${data.actions.open} open actions are overdue.`}
              />
              <ul>
                {data.actions.overdue.map((a) => (
                  <li key={a.id}>
                    {a.title} — {a.owner}, due {a.dueDate}
                  </li>
                ))}
              </ul>
              <Link to="/actions?overdue=true">See overdue actions</Link>
            </div>
            <div className="card">
              <h2>Exercises</h2>
              <Verdict
                ok={data.exercises.state === 'on_track'}
                good="Tabletop exercises are on schedule."
                bad={
                  data.exercises.state === 'warning'
                    ? 'The next exercise is due soon.'
                    : 'An exercise is overdue.'
                }
              />
              <p>
                Last held: {data.exercises.lastCompletedOn ?? 'never'}. Next due:{' '}
                <Timestamp at={data.exercises.nextDueAt} />.
              </p>
              <Link to="/exercises">Plan or record an exercise</Link>
            </div>
            <div className="card">
              <h2>Breach notifications</h2>
              <Verdict
                ok={data.breaches.running.length === 0}
                good="No notification deadline is running."
                bad={`${data.breaches.running.length} notification deadlines running.`}
              />
              <ul>
                {data.breaches.running.map((b) => (
                  <li key={`${b.reference}-${b.regime}-${b.obligation}`}>
                    <IncidentRef reference={b.reference} /> {b.regime} {b.obligation.replace('_', ' ')}{' '}
                    {b.dueAt ? (
                      <>
                        due <Timestamp at={b.dueAt} />
                      </>
                    ) : (
                      'no deadline set'
                    )}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
