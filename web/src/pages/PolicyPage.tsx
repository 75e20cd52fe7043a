import './pages.css';
import { EmptyState, ErrorState, LoadingState } from '../components/States.tsx';
import { Timestamp } from '../components/Timestamp.tsx';
import { useApiResource } from '../components/useApiResource.ts';

interface Named {
  id: string;
  name: string;
  definition?: string;
}
interface PolicyAnswer {
  version: string;
  source: string;
  loadedAt: string;
  policy: {
    organization: { name: string };
    time: { timeZone: string; businessHours: { days: string[]; opensAt: string; closesAt: string } };
    severities: Named[];
    categories: Named[];
    lifecycle: {
      phases?: {
        id: string;
        name?: string;
        checklist?: { id?: string; text?: string; mandatory?: boolean }[];
      }[];
    } & Record<string, unknown>;
    detection: {
      rules: {
        id: string;
        name: string;
        kind: string;
        severity: unknown;
        window?: string;
        threshold?: number;
      }[];
    };
  } & Record<string, unknown>;
}
interface Version {
  version: string;
  source: string;
  firstLoadedAt: string;
  files: string[];
  current: boolean;
}

const short = (version: string) => version.replace(/^sha256:/, '').slice(0, 12);

function severityWord(severity: unknown): string {
  if (typeof severity === 'string') return severity;
  if (severity && typeof severity === 'object' && 'default' in severity)
    return `${String((severity as { default: string }).default)} (varies)`;
  return '—';
}

function Versions() {
  const { data, error, loading, reload } = useApiResource<{ items: Version[] }>('/api/v1/policy/versions');
  if (error) return <ErrorState error={error} retry={() => void reload()} />;
  if (loading && !data) return <LoadingState label="Loading the version history" />;
  if (!data || data.items.length === 0) return <EmptyState>No versions recorded.</EmptyState>;
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">First in force</th>
            <th scope="col">Source</th>
            <th scope="col">Runbooks and templates</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((v) => (
            <tr key={v.version}>
              <td>
                <code title={v.version}>{short(v.version)}</code>{' '}
                {v.current && <strong className="tag">in force</strong>}
              </td>
              <td>
                <Timestamp at={v.firstLoadedAt} />
              </td>
              <td>{v.source}</td>
              <td>{v.files.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The policy in force, readable without the server's files, and every version Vigil has run under. */
export default function PolicyPage() {
  const { data, error, loading, reload } = useApiResource<PolicyAnswer>('/api/v1/policy');
  return (
    <section aria-labelledby="policy-title">
      <div className="page-head">
        <h1 id="policy-title">Policy</h1>
      </div>
      {error ? <ErrorState error={error} retry={() => void reload()} /> : null}
      {loading && !data && <LoadingState label="Loading the policy" />}
      {data && (
        <>
          <p className="lead">
            {data.policy.organization.name}'s incident response policy, version{' '}
            <code title={data.version}>{short(data.version)}</code>, from <code>{data.source}</code>, loaded{' '}
            <Timestamp at={data.loadedAt} />. Every incident records the version it ran under.
          </p>
          <div className="cards">
            <div className="card">
              <h2>Severities</h2>
              <dl className="facts">
                {data.policy.severities.map((s) => (
                  <div key={s.id} className="contents">
                    <dt>{s.name}</dt>
                    <dd>{s.definition}</dd>
                  </div>
                ))}
              </dl>
            </div>
            <div className="card">
              <h2>Working time</h2>
              <p>
                Time zone {data.policy.time.timeZone}; business hours {data.policy.time.businessHours.opensAt}
                –{data.policy.time.businessHours.closesAt} on {data.policy.time.businessHours.days.join(', ')}
                .
              </p>
              <h2>Categories</h2>
              <ul>
                {data.policy.categories.map((c) => (
                  <li key={c.id}>{c.name}</li>
                ))}
              </ul>
            </div>
          </div>
          <div className="card">
            <h2>Detection rules</h2>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Severity</th>
                  </tr>
                </thead>
                <tbody>
                  {data.policy.detection.rules.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {r.name} <span className="muted">({r.id})</span>
                      </td>
                      <td>{r.kind}</td>
                      <td>{severityWord(r.severity)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <details className="card">
            <summary>The whole policy as JSON</summary>
            <pre className="code">{JSON.stringify(data.policy, null, 2)}</pre>
          </details>
        </>
      )}
      <h2>Version history</h2>
      <Versions />
    </section>
  );
}
