/**
 * The lifecycle as steps, the current phase's checklist, and moving on. Moving forward with mandatory
 * items unchecked is refused (409) unless overridden with a reason; going back needs a reason too.
 */
import { useState } from 'react';
import { ApiError, post } from '../api.ts';
import { ErrorState } from '../components/States.tsx';
import { useApiAction } from '../components/useApiResource.ts';
import type { PolicyOutline } from '../components/usePolicy.ts';
import { phaseLabel } from '../format.ts';
import type { Incident } from './types.ts';

export function PhaseStepper(props: {
  incident: Incident;
  phases: PolicyOutline['phases'] | null;
  onChanged: () => void;
  /** Viewers and auditors see the lifecycle but change nothing. */
  readOnly?: boolean;
}) {
  const { incident, onChanged } = props;
  const phases =
    props.phases ??
    [...new Set(incident.checklist.map((c) => c.phase))].map((id) => ({ id, name: phaseLabel(id) }));
  const currentIndex = phases.findIndex((p) => p.id === incident.phase);
  const items = incident.checklist.filter((c) => c.phase === incident.phase);
  const base = `/api/v1/incidents/${incident.id}`;
  const tick = useApiAction();
  const move = useApiAction();
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState(false);
  const next = phases[currentIndex + 1];
  const chosen = target || next?.id || '';
  const backwards = phases.findIndex((p) => p.id === chosen) < currentIndex;
  const blocked =
    move.error instanceof ApiError &&
    move.error.status === 409 &&
    /mandatory checklist/.test(move.error.detail ?? '');

  const submit = () =>
    move.run(
      () =>
        post(`${base}/phase`, {
          phase: chosen,
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          ...(override ? { override: true } : {}),
        }),
      () => {
        setReason('');
        setOverride(false);
        setTarget('');
        onChanged();
      },
    );

  return (
    <section className="incident-section" aria-labelledby="phase-heading">
      <h2 id="phase-heading">Phase</h2>
      <ol className="phase-steps">
        {phases.map((p, i) => (
          <li
            key={p.id}
            className={i < currentIndex ? 'step-done' : i === currentIndex ? 'step-current' : 'step-todo'}
            aria-current={i === currentIndex ? 'step' : undefined}
          >
            <span className="step-word">
              {i < currentIndex ? 'Done' : i === currentIndex ? 'Now' : 'Next'}
            </span>{' '}
            {p.name}
          </li>
        ))}
      </ol>
      <h3>Checklist: {phaseLabel(incident.phase)}</h3>
      {items.length === 0 ? (
        <p className="muted">This phase has no checklist.</p>
      ) : (
        <ul className="checklist">
          {items.map((item) => (
            <li key={item.item}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={item.done}
                  disabled={tick.busy || incident.closedAt !== null || props.readOnly}
                  onChange={(e) =>
                    void tick.run(
                      () => post(`${base}/checklist`, { item: item.item, done: e.target.checked }),
                      onChanged,
                    )
                  }
                />{' '}
                {item.text} {item.mandatory && <span className="muted">(mandatory)</span>}
              </label>
            </li>
          ))}
        </ul>
      )}
      {tick.error !== null && <ErrorState error={tick.error} />}
      {!props.readOnly && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <div>
            <label htmlFor="phase-target">Move to</label>
            <select id="phase-target" value={chosen} onChange={(e) => setTarget(e.target.value)}>
              {phases
                .filter((p) => p.id !== incident.phase)
                .map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
            </select>
          </div>
          <div className="grow">
            <label htmlFor="phase-reason">Reason {backwards || override ? '(required)' : '(optional)'}</label>
            <input
              id="phase-reason"
              value={reason}
              required={backwards || override}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          {blocked && (
            <label className="check">
              <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} />{' '}
              Move on anyway (override the unchecked mandatory items)
            </label>
          )}
          <button type="submit" className="primary" disabled={move.busy || !chosen}>
            Change phase
          </button>
        </form>
      )}
      {move.error !== null && <ErrorState error={move.error} />}
    </section>
  );
}
