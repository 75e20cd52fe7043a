/** The legal clocks and obligations of a breach, and the reports drafted, approved and submitted for them. */
import { useId, useState } from 'react';
import { post } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { FieldWithError } from '../../components/FieldWithError.tsx';
import { Instant } from '../../components/Instant.tsx';
import { LiveCountdown } from '../../components/LiveCountdown.tsx';
import { useApiAction } from '../../components/useApiResource.ts';
import type { Breach, BreachSubmission, Obligation } from './breach-shapes.ts';
import { fromLocalInput } from './breach-shapes.ts';
import { StatusWord } from './status-word.tsx';

type Saved = (breach: Breach) => void;

export function LegalClocks({ breach }: { breach: Breach }) {
  const rows = [
    ['Regulator', breach.clocks.regulator],
    ['People affected', breach.clocks.customer],
  ] as const;
  return (
    <dl className="legal-clocks">
      {rows.map(([label, clock]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>
            {clock ? (
              <LiveCountdown dueAt={clock.dueAt} metAt={clock.metAt} state={clock.state} />
            ) : (
              'no clock'
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ObligationRow({
  incidentId,
  o,
  drafted,
  onSaved,
}: {
  incidentId: string;
  o: Obligation;
  drafted: boolean;
  onSaved: Saved;
}) {
  const action = useApiAction();
  const headingId = useId();
  const canDraft = !drafted && !['not_required', 'information'].includes(o.state);
  const draft = () =>
    action.run(
      () =>
        post<Breach>(`/api/v1/incidents/${incidentId}/breach/submissions`, {
          regime: o.regime,
          obligation: o.obligation,
        }),
      onSaved,
    );
  return (
    <li className="item-card">
      <h4 id={headingId}>
        {o.name}{' '}
        <span className="item-meta">
          ({o.regimeName}, {o.authority})
        </span>
      </h4>
      <p>
        <LiveCountdown dueAt={o.dueAt} metAt={o.metAt} state={o.state} />
        {o.late ? ' — met late' : ''}
      </p>
      {o.reason && <p className="item-meta">{o.reason}</p>}
      {canDraft && (
        <div className="button-row">
          <button type="button" aria-describedby={headingId} onClick={draft} disabled={action.busy}>
            Draft the report
          </button>
        </div>
      )}
      <ActionProblem error={action.error} />
    </li>
  );
}

export function Obligations({ breach, onSaved }: { breach: Breach; onSaved: Saved }) {
  if (breach.obligations.length === 0) return <p className="panel-note">No legal obligations apply.</p>;
  const drafted = new Set(breach.submissions.map((s) => `${s.regime}/${s.obligation}`));
  return (
    <ul className="item-list">
      {breach.obligations.map((o) => (
        <ObligationRow
          key={`${o.regime}/${o.obligation}`}
          incidentId={breach.incidentId}
          o={o}
          drafted={drafted.has(`${o.regime}/${o.obligation}`)}
          onSaved={onSaved}
        />
      ))}
    </ul>
  );
}

function SubmitForm({ path, onSaved }: { path: string; onSaved: Saved }) {
  const [method, setMethod] = useState('');
  const [reference, setReference] = useState('');
  const [submittedAt, setSubmittedAt] = useState('');
  const [delayReasons, setDelayReasons] = useState('');
  const action = useApiAction();
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = {
      method,
      ...(reference.trim() ? { reference } : {}),
      ...(submittedAt ? { submittedAt: fromLocalInput(submittedAt) } : {}),
      ...(delayReasons.trim() ? { delayReasons } : {}),
    };
    await action.run(() => post<Breach>(`${path}/submit`, body), onSaved);
  };
  const e = action.error;
  return (
    <form onSubmit={submit} aria-label="Mark the report submitted">
      <div className="form-grid">
        <FieldWithError label="Method" hint="e.g. ICO online form" error={e} field="method">
          {(c) => <input {...c} required value={method} onChange={(x) => setMethod(x.target.value)} />}
        </FieldWithError>
        <FieldWithError label="Authority’s reference" error={e} field="reference">
          {(c) => <input {...c} value={reference} onChange={(x) => setReference(x.target.value)} />}
        </FieldWithError>
        <FieldWithError
          label="Submitted at"
          hint="Your local time. Empty: now."
          error={e}
          field="submittedAt"
        >
          {(c) => (
            <input
              {...c}
              type="datetime-local"
              value={submittedAt}
              onChange={(x) => setSubmittedAt(x.target.value)}
            />
          )}
        </FieldWithError>
        <FieldWithError
          label="Reasons for delay"
          hint="Needed when the report is late."
          error={e}
          field="delayReasons"
        >
          {(c) => <textarea {...c} value={delayReasons} onChange={(x) => setDelayReasons(x.target.value)} />}
        </FieldWithError>
      </div>
      <ActionProblem error={e} shownAtFields={['method', 'reference', 'submittedAt', 'delayReasons']} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy}>
          Mark submitted
        </button>
      </div>
    </form>
  );
}

function SubmissionCard({
  incidentId,
  s,
  name,
  onSaved,
}: {
  incidentId: string;
  s: BreachSubmission;
  /** The obligation's name, e.g. "Notify the ICO". */
  name: string;
  onSaved: Saved;
}) {
  const action = useApiAction();
  const headingId = useId();
  const path = `/api/v1/incidents/${incidentId}/breach/submissions/${s.id}`;
  const by = (a: string | null) => (a ?? '').replace(/^user:/, '');
  return (
    <li className="item-card">
      <h4 id={headingId}>
        Report: {name} <StatusWord status={s.status} />
        {s.late ? ' (late)' : ''}
      </h4>
      <p className="item-meta">
        Drafted by {by(s.createdBy)} <Instant at={s.createdAt} />
        {s.approvedAt && (
          <>
            {' · '}approved by {by(s.approvedBy)} <Instant at={s.approvedAt} />
          </>
        )}
        {s.submittedAt && (
          <>
            {' · '}submitted by {by(s.submittedBy)} <Instant at={s.submittedAt} /> via {s.method}
            {s.reference ? `, reference ${s.reference}` : ''}
          </>
        )}
      </p>
      {s.delayReasons && <p className="item-meta">Reasons for delay: {s.delayReasons}</p>}
      <details>
        <summary>The report’s content</summary>
        <dl className="report-sections">
          {Object.entries(s.report).map(([k, v]) => (
            <div key={k}>
              <dt>{k.replaceAll('_', ' ')}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </details>
      {s.status === 'draft' && (
        <div className="button-row">
          <button
            type="button"
            aria-describedby={headingId}
            onClick={() => action.run(() => post<Breach>(`${path}/approve`), onSaved)}
            disabled={action.busy}
          >
            Approve
          </button>
        </div>
      )}
      <ActionProblem error={action.error} />
      {s.status === 'approved' && <SubmitForm path={path} onSaved={onSaved} />}
    </li>
  );
}

export function Submissions({ breach, onSaved }: { breach: Breach; onSaved: Saved }) {
  if (breach.submissions.length === 0) return <p className="panel-note">No report drafted yet.</p>;
  return (
    <ul className="item-list">
      {breach.submissions.map((s) => (
        <SubmissionCard
          key={s.id}
          incidentId={breach.incidentId}
          s={s}
          name={
            breach.obligations.find((o) => o.regime === s.regime && o.obligation === s.obligation)?.name ??
            `${s.regime} ${s.obligation.replaceAll('_', ' ')}`
          }
          onSaved={onSaved}
        />
      ))}
    </ul>
  );
}
