/**
 * The personal data breach on an incident: its record, the risk assessment, the legal clocks
 * counting down live, the obligations, and the reports to authorities. Hidden politely from a
 * caller whose role may not see breaches.
 */
import './panels.css';
import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { ErrorState, LoadingState } from '../../components/States.tsx';
import { useApiResource, useReloadWhenChanged } from '../../components/useApiResource.ts';
import { useCan } from '../../session.tsx';
import type { PanelProps } from '../types.ts';
import { BreachAssessmentForm } from './BreachAssessmentForm.tsx';
import { BreachRecordForm } from './BreachRecordForm.tsx';
import { LegalClocks, Obligations, Submissions } from './BreachSubmissions.tsx';
import type { Breach } from './breach-shapes.ts';

export default function BreachPanel({ incident, onChanged }: PanelProps) {
  // The incident says whether a breach is recorded (null also for roles that may not see one), so
  // the record is asked for only when there is one: no 404 to log.
  const hidden = !useCan()('breaches:read');
  const recorded = incident.breach !== null;
  const breach = useApiResource<Breach>(
    recorded && !hidden ? `/api/v1/incidents/${incident.id}/breach` : null,
  );
  useReloadWhenChanged(incident.updatedAt, breach.reload);
  const [recording, setRecording] = useState(false);
  // Remounts the forms with the saved record after each change.
  const [version, setVersion] = useState(0);
  const saved = async () => {
    await breach.reload();
    setVersion((v) => v + 1);
    setRecording(false);
    onChanged();
  };
  const missing = !recorded || (breach.error instanceof ApiError && breach.error.status === 404);

  let body: React.ReactNode;
  if (hidden || (breach.error instanceof ApiError && breach.error.status === 403)) {
    body = <p className="panel-note">Breach details are not shown to your role.</p>;
  } else if (missing) {
    body = (
      <>
        <p className="panel-note">No personal data breach is recorded on this incident.</p>
        {recording ? (
          <BreachRecordForm incidentId={incident.id} record={null} onSaved={saved} />
        ) : (
          <button type="button" onClick={() => setRecording(true)}>
            Record a personal data breach
          </button>
        )}
      </>
    );
  } else if (breach.error && !breach.data) {
    body = <ErrorState error={breach.error} retry={breach.reload} />;
  } else if (!breach.data) {
    body = <LoadingState label="Loading the breach record" />;
  } else {
    const b = breach.data;
    body = (
      <>
        <h3>Legal clocks</h3>
        <LegalClocks breach={b} />
        <h3>Obligations</h3>
        <Obligations breach={b} onSaved={saved} />
        <h3>Reports</h3>
        <Submissions breach={b} onSaved={saved} />
        <h3>Risk assessment</h3>
        <BreachAssessmentForm
          key={`a${version}`}
          incidentId={incident.id}
          current={b.assessment}
          onSaved={saved}
        />
        <h3>Record (version {b.version})</h3>
        <BreachRecordForm key={`r${version}`} incidentId={incident.id} record={b.record} onSaved={saved} />
      </>
    );
  }
  return (
    <section className="panel" aria-labelledby="breach-heading">
      <h2 id="breach-heading">Personal data breach</h2>
      {body}
    </section>
  );
}
