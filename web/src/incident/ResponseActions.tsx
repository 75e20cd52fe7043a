/** Acknowledge, decide triage (with a reason), and change severity (with a reason). */
import { useState } from 'react';
import { post } from '../api.ts';
import { ErrorState } from '../components/States.tsx';
import { useApiAction } from '../components/useApiResource.ts';
import type { PolicyOutline } from '../components/usePolicy.ts';
import { severityLabel } from '../format.ts';
import type { Incident } from './types.ts';

export function ResponseActions(props: {
  incident: Incident;
  severities: PolicyOutline['severities'] | null;
  onChanged: () => void;
}) {
  const { incident, onChanged } = props;
  const base = `/api/v1/incidents/${incident.id}`;
  const ack = useApiAction();
  const triage = useApiAction();
  const severity = useApiAction();
  const [decision, setDecision] = useState('confirmed');
  const [triageReason, setTriageReason] = useState('');
  const [duplicateOf, setDuplicateOf] = useState('');
  const [newSeverity, setNewSeverity] = useState('');
  const [severityReason, setSeverityReason] = useState('');
  const severities = props.severities ?? [{ id: incident.severity, name: severityLabel(incident.severity) }];
  const open = incident.closedAt === null;

  return (
    <section className="incident-section" aria-labelledby="response-heading">
      <h2 id="response-heading">Response</h2>
      {!incident.acknowledgedAt && open && (
        <p>
          <button
            type="button"
            className="primary"
            disabled={ack.busy}
            onClick={() => void ack.run(() => post(`${base}/acknowledge`), onChanged)}
          >
            Acknowledge
          </button>
        </p>
      )}
      {ack.error !== null && <ErrorState error={ack.error} />}

      {!incident.triage && open && (
        <form
          className="inline-form"
          aria-label="Triage decision"
          onSubmit={(e) => {
            e.preventDefault();
            const body = {
              decision,
              reason: triageReason.trim(),
              ...(decision === 'duplicate' ? { duplicateOf: duplicateOf.trim() } : {}),
            };
            void triage.run(
              () => post(`${base}/triage`, body),
              () => {
                setTriageReason('');
                onChanged();
              },
            );
          }}
        >
          <div>
            <label htmlFor="triage-decision">Triage decision</label>
            <select id="triage-decision" value={decision} onChange={(e) => setDecision(e.target.value)}>
              <option value="confirmed">Confirmed</option>
              <option value="false_positive">False positive (closes)</option>
              <option value="duplicate">Duplicate (merges)</option>
            </select>
          </div>
          {decision === 'duplicate' && (
            <div>
              <label htmlFor="triage-duplicate">Duplicate of</label>
              <input
                id="triage-duplicate"
                placeholder="INC-12"
                required
                value={duplicateOf}
                onChange={(e) => setDuplicateOf(e.target.value)}
              />
            </div>
          )}
          <div className="grow">
            <label htmlFor="triage-reason">Reason</label>
            <input
              id="triage-reason"
              required
              value={triageReason}
              onChange={(e) => setTriageReason(e.target.value)}
            />
          </div>
          <button type="submit" disabled={triage.busy}>
            Record decision
          </button>
        </form>
      )}
      {triage.error !== null && <ErrorState error={triage.error} />}

      {open && (
        <form
          className="inline-form"
          aria-label="Change severity"
          onSubmit={(e) => {
            e.preventDefault();
            void severity.run(
              () =>
                post(`${base}/severity`, {
                  severity: newSeverity || incident.severity,
                  reason: severityReason.trim(),
                }),
              () => {
                setSeverityReason('');
                onChanged();
              },
            );
          }}
        >
          <div>
            <label htmlFor="severity-new">Severity</label>
            <select
              id="severity-new"
              value={newSeverity || incident.severity}
              onChange={(e) => setNewSeverity(e.target.value)}
            >
              {severities.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div className="grow">
            <label htmlFor="severity-reason">Reason for the change</label>
            <input
              id="severity-reason"
              required
              value={severityReason}
              onChange={(e) => setSeverityReason(e.target.value)}
            />
          </div>
          <button type="submit" disabled={severity.busy || !newSeverity || newSeverity === incident.severity}>
            Change severity
          </button>
        </form>
      )}
      {severity.error !== null && <ErrorState error={severity.error} />}
    </section>
  );
}
