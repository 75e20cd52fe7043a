/**
 * What a new installation shows instead of an empty board: what Vigil is,
 * and a way to see it work at once by loading the demo signals (admins
 * only; the server refuses once any incident exists).
 */
import '../pages/pages.css';
import { useState } from 'react';
import { post } from '../api.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ActionProblem } from './ActionProblem.tsx';
import { useApiAction } from './useApiResource.ts';

interface DemoOutcome {
  files: { name: string; source: string; stored: number }[];
  incidents: { id: string; reference: string; title: string; severity: string }[];
}

export function FirstRun({ onLoaded }: { onLoaded?: () => void | Promise<void> }) {
  const { user } = useSession();
  const { busy, error, run } = useApiAction();
  const [outcome, setOutcome] = useState<DemoOutcome | null>(null);
  const load = () =>
    run(
      () => post<DemoOutcome>('/api/v1/demo'),
      async (answer) => {
        setOutcome(answer);
        await onLoaded?.();
      },
    );
  return (
    <section className="card first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Welcome to Vigil</h2>
      <p>
        Vigil runs your incident response process as your policy describes it. Signals from your monitoring
        and security tools open incidents; each incident carries response clocks, phase checklists and a
        timeline, and every change lands in a tamper-evident audit log.
      </p>
      <p>
        No incidents yet. Connect a source with an ingest token, or declare one with{' '}
        <code>vigil incident declare</code> (see <a href="/api/docs">the API documentation</a>) — or see it
        work first with the demo: a SQL audit log with a password-guessing attack, a Microsoft Defender alert
        and a Prometheus alert, sent through the same ingestion and detection as real signals.
      </p>
      {user.role === 'admin' ? (
        <div className="button-row">
          <button
            type="button"
            className="primary"
            onClick={() => void load()}
            disabled={busy || outcome !== null}
          >
            {busy ? 'Loading demo data…' : 'Load demo data'}
          </button>
        </div>
      ) : (
        <p className="muted">An administrator can load the demo data from this page.</p>
      )}
      <ActionProblem error={error} />
      {outcome && (
        <div role="status">
          <p className="success">
            Demo loaded: {outcome.files.reduce((n, f) => n + f.stored, 0)} signals; detection opened{' '}
            {outcome.incidents.length} incidents.
          </p>
          <ul>
            {outcome.incidents.map((i) => (
              <li key={i.id}>
                <Link to={`/incidents/${i.reference}`}>{i.reference}</Link> {i.title} ({i.severity})
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
