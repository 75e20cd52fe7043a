/** The risk assessment: whether the breach risks people's rights, whether the risk is high, and why. */
import { useState } from 'react';
import { post } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { FieldWithError } from '../../components/FieldWithError.tsx';
import { Instant } from '../../components/Instant.tsx';
import { useApiAction } from '../../components/useApiResource.ts';
import { type Breach, type BreachAssessment, splitList } from './breach-shapes.ts';

function Current({ a }: { a: BreachAssessment }) {
  return (
    <p className="item-meta">
      Current assessment: {a.riskToRights ? 'a risk to people’s rights' : 'no risk to people’s rights'}
      {a.riskToRights ? (a.highRisk ? ', high risk' : ', not high risk') : ''} — decided by{' '}
      {a.decidedBy.replace(/^user:/, '')} <Instant at={a.decidedAt} />.
      {a.exception ? ` Exception: ${a.exception}` : ''}
    </p>
  );
}

export function BreachAssessmentForm({
  incidentId,
  current,
  onSaved,
}: {
  incidentId: string;
  current: BreachAssessment | null;
  onSaved: (breach: Breach) => void;
}) {
  const [riskToRights, setRisk] = useState(current?.riskToRights ?? false);
  const [highRisk, setHigh] = useState(current?.highRisk ?? false);
  const [rationale, setRationale] = useState(current?.rationale ?? '');
  const [consulted, setConsulted] = useState((current?.consulted ?? []).join(', '));
  const [exception, setException] = useState(current?.exception ?? '');
  const action = useApiAction();
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = {
      riskToRights,
      highRisk: riskToRights && highRisk,
      rationale,
      consulted: splitList(consulted),
      ...(exception.trim() ? { exception } : {}),
    };
    await action.run(() => post<Breach>(`/api/v1/incidents/${incidentId}/breach/assessment`, body), onSaved);
  };
  return (
    <form onSubmit={submit} aria-label="Risk assessment">
      {current && <Current a={current} />}
      <fieldset>
        <legend>Risk to people</legend>
        <label className="choice-check">
          <input type="checkbox" checked={riskToRights} onChange={(e) => setRisk(e.target.checked)} />
          Likely to result in a risk to people’s rights and freedoms
        </label>
        <label className="choice-check">
          <input
            type="checkbox"
            checked={riskToRights && highRisk}
            disabled={!riskToRights}
            onChange={(e) => setHigh(e.target.checked)}
          />
          The risk is high (people must be told)
        </label>
      </fieldset>
      <FieldWithError label="Rationale" error={action.error} field="rationale">
        {(c) => <textarea {...c} required value={rationale} onChange={(e) => setRationale(e.target.value)} />}
      </FieldWithError>
      <div className="form-grid">
        <FieldWithError
          label="Consulted"
          hint="e.g. legal, leadership; separated by commas."
          error={action.error}
          field="consulted"
        >
          {(c) => <input {...c} value={consulted} onChange={(e) => setConsulted(e.target.value)} />}
        </FieldWithError>
        <FieldWithError
          label="Exception"
          hint="Why people need not be told despite a high risk (optional)."
          error={action.error}
          field="exception"
        >
          {(c) => <input {...c} value={exception} onChange={(e) => setException(e.target.value)} />}
        </FieldWithError>
      </div>
      <ActionProblem error={action.error} shownAtFields={['rationale', 'consulted', 'exception']} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : 'Record the assessment'}
        </button>
      </div>
    </form>
  );
}
