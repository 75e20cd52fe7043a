/** The post-incident review's text: what happened, why, what it cost, what we learned, and what customers are told. */
import { useState } from 'react';
import { put } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { FieldWithError } from '../../components/FieldWithError.tsx';
import { useApiAction } from '../../components/useApiResource.ts';
import type { Review, ReviewAnswer } from './review-shapes.ts';

const TEXTS = [
  ['summary', 'Summary', 'What happened, in a paragraph.'],
  ['rootCause', 'Root cause', undefined],
  ['impact', 'Impact', undefined],
  ['lessons', 'Lessons learned', undefined],
  ['customerSummary', 'Summary for customers', 'Plain words, safe to share outside.'],
] as const;

const DETAILS = [
  ['customers', 'Customers affected'],
  ['data', 'Data affected'],
  ['services', 'Services affected'],
  ['duration', 'Duration'],
] as const;

const REVIEW_FIELDS = [...TEXTS.map(([k]) => k), 'contributingFactors', 'whys', 'impactDetail'];

type TextKey = (typeof TEXTS)[number][0];
type DetailKey = (typeof DETAILS)[number][0];

const lines = (text: string) =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

export function ReviewEditor({
  incidentId,
  review,
  onSaved,
}: {
  incidentId: string;
  review: Review | null;
  onSaved: (answer: ReviewAnswer) => void;
}) {
  const [texts, setTexts] = useState<Record<TextKey, string>>(() => ({
    summary: review?.summary ?? '',
    rootCause: review?.rootCause ?? '',
    impact: review?.impact ?? '',
    lessons: review?.lessons ?? '',
    customerSummary: review?.customerSummary ?? '',
  }));
  const [details, setDetails] = useState<Record<DetailKey, string>>(() => ({
    customers: review?.impactDetail.customers ?? '',
    data: review?.impactDetail.data ?? '',
    services: review?.impactDetail.services ?? '',
    duration: review?.impactDetail.duration ?? '',
  }));
  const [factors, setFactors] = useState((review?.contributingFactors ?? []).join('\n'));
  const [whys, setWhys] = useState((review?.whys ?? []).join('\n'));
  const action = useApiAction();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = {
      ...texts,
      contributingFactors: lines(factors),
      whys: lines(whys),
      impactDetail: Object.fromEntries(DETAILS.map(([k]) => [k, details[k].trim() || null])),
    };
    await action.run(() => put<ReviewAnswer>(`/api/v1/incidents/${incidentId}/review`, body), onSaved);
  };
  const e = action.error;
  return (
    <form onSubmit={submit} aria-label="Post-incident review">
      {review?.state === 'approved' && (
        <p className="panel-note">Saving changes sends the approved review back to draft.</p>
      )}
      <div className="form-grid">
        {TEXTS.map(([key, label, hint]) => (
          <div key={key} className={key === 'summary' ? 'wide' : undefined}>
            <FieldWithError label={label} hint={hint} error={e} field={key}>
              {(c) => (
                <textarea
                  {...c}
                  required
                  value={texts[key]}
                  onChange={(x) => setTexts((t) => ({ ...t, [key]: x.target.value }))}
                />
              )}
            </FieldWithError>
          </div>
        ))}
        <FieldWithError label="Contributing factors" hint="One a line." error={e} field="contributingFactors">
          {(c) => <textarea {...c} value={factors} onChange={(x) => setFactors(x.target.value)} />}
        </FieldWithError>
        <FieldWithError
          label="Five whys"
          hint="One why a line, first why first (at most 10)."
          error={e}
          field="whys"
        >
          {(c) => <textarea {...c} value={whys} onChange={(x) => setWhys(x.target.value)} />}
        </FieldWithError>
      </div>
      <fieldset>
        <legend>Impact in detail</legend>
        <div className="form-grid">
          {DETAILS.map(([key, label]) => (
            <FieldWithError key={key} label={label} error={e} field={`impactDetail.${key}`}>
              {(c) => (
                <input
                  {...c}
                  value={details[key]}
                  onChange={(x) => setDetails((d) => ({ ...d, [key]: x.target.value }))}
                />
              )}
            </FieldWithError>
          ))}
        </div>
      </fieldset>
      <ActionProblem error={e} shownAtFields={REVIEW_FIELDS} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : review ? 'Save the review' : 'Start the review'}
        </button>
      </div>
    </form>
  );
}
