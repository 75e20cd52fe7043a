/** The top of the incident page: who, what, how bad, where in the lifecycle, and every clock ticking. */
import { ClockBadge } from '../components/ClockBadge.tsx';
import { Instant } from '../components/Instant.tsx';
import { phaseLabel, severityLabel } from '../format.ts';
import type { Incident } from './types.ts';

export function IncidentHeader({ incident, now }: { incident: Incident; now: number }) {
  const clocks = Object.entries(incident.sla).filter(([, c]) => c !== null);
  const breach = incident.breach;
  return (
    <header className="incident-header">
      <p className="incident-ref">
        {incident.reference}
        {incident.exercise && <span className="badge badge-exercise">Exercise</span>}
        {incident.closedAt && <span className="badge">Closed</span>}
      </p>
      <h1>{incident.title}</h1>
      <dl className="incident-facts">
        <div>
          <dt>Severity</dt>
          <dd>
            <span className={`severity severity-${incident.severity}`}>
              {severityLabel(incident.severity)}
            </span>
            {incident.highestSeverity !== incident.severity && (
              <span className="muted"> (highest: {severityLabel(incident.highestSeverity)})</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Phase</dt>
          <dd>{phaseLabel(incident.phase)}</dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{incident.owner ? `${incident.owner.name} (${incident.owner.email})` : <em>Unassigned</em>}</dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>
            <Instant at={incident.openedAt} />
            {incident.outOfHours && <span className="muted"> · out of hours</span>}
          </dd>
        </div>
        <div>
          <dt>Acknowledged</dt>
          <dd>{incident.acknowledgedAt ? <Instant at={incident.acknowledgedAt} /> : <em>Not yet</em>}</dd>
        </div>
        {incident.triage && (
          <div>
            <dt>Triage</dt>
            <dd>
              {phaseLabel(incident.triage.decision)}: {incident.triage.reason}
              {incident.duplicateOf && ` (duplicate of ${incident.duplicateOf})`}
            </dd>
          </div>
        )}
      </dl>
      <section aria-label="Clocks" className="incident-clocks">
        <h2 className="visually-hidden">Clocks</h2>
        {clocks.length === 0 && <p className="muted">No response clocks are running.</p>}
        <ul>
          {clocks.map(([name, clock]) => (
            <li key={name}>
              <ClockBadge name={name} clock={clock!} now={now} />
            </li>
          ))}
          {breach?.clocks.customer && (
            <li>
              <ClockBadge name="customer" clock={breach.clocks.customer} now={now} />
            </li>
          )}
          {breach?.clocks.regulator && (
            <li>
              <ClockBadge name="regulator" clock={breach.clocks.regulator} now={now} />
            </li>
          )}
        </ul>
      </section>
      <p className="incident-description">{incident.description}</p>
    </header>
  );
}
