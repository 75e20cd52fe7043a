/**
 * The post-incident review: the gate it puts on closing, the editor, submitting and approving,
 * the Markdown and PDF exports, and the corrective and preventive actions.
 */
import './panels.css';
import { useState } from 'react';
import { ApiError, post } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { DownloadLink } from '../../components/DownloadLink.tsx';
import { Instant } from '../../components/Instant.tsx';
import { ErrorState, LoadingState } from '../../components/States.tsx';
import { useApiAction, useApiResource, useReloadWhenChanged } from '../../components/useApiResource.ts';
import type { PanelProps } from '../types.ts';
import { ReviewActions } from './ReviewActions.tsx';
import { ReviewEditor } from './ReviewEditor.tsx';
import type { ReviewAnswer } from './review-shapes.ts';
import { StatusWord } from './status-word.tsx';

function ReviewGate({ answer }: { answer: ReviewAnswer }) {
  if (!answer.required) {
    return <p className="panel-note">A review is optional for this incident’s severity.</p>;
  }
  const approved = answer.review?.state === 'approved';
  return (
    <p className={approved ? 'panel-note' : 'gate-note'}>
      {approved
        ? 'The review is approved: it no longer holds the incident open.'
        : `Closing ${answer.reference} needs a post-incident review approved by its owner; ${
            answer.review ? `the review is ${answer.review.state.replace('_', ' ')}` : 'it has no review yet'
          }.`}
    </p>
  );
}

function ReviewStatus({ answer, onChanged }: { answer: ReviewAnswer; onChanged: () => Promise<void> }) {
  const action = useApiAction();
  const r = answer.review;
  if (!r) return null;
  const base = `/api/v1/incidents/${answer.incidentId}/review`;
  const by = (a: string | null) => (a ?? '').replace(/^user:/, '');
  return (
    <>
      <p>
        <StatusWord status={r.state} /> version {r.version}, last saved by {by(r.updatedBy)}{' '}
        <Instant at={r.updatedAt} />
        {r.submittedAt && (
          <>
            {' · '}submitted <Instant at={r.submittedAt} />
          </>
        )}
        {r.approvedAt && (
          <>
            {' · '}approved by {by(r.approvedBy)} <Instant at={r.approvedAt} />
          </>
        )}
      </p>
      <div className="button-row">
        {r.state === 'draft' && (
          <button
            type="button"
            onClick={() => action.run(() => post(`${base}/submit`), onChanged)}
            disabled={action.busy}
          >
            Submit for review
          </button>
        )}
        {r.state === 'in_review' && (
          <button
            type="button"
            className="primary"
            onClick={() => action.run(() => post(`${base}/approve`), onChanged)}
            disabled={action.busy}
          >
            Approve the review
          </button>
        )}
        <DownloadLink href={`${base}/export?format=markdown`} filename={`${answer.reference}-review.md`}>
          Export Markdown
        </DownloadLink>
        <DownloadLink href={`${base}/export?format=pdf`} filename={`${answer.reference}-review.pdf`}>
          Export PDF
        </DownloadLink>
      </div>
      <ActionProblem error={action.error} />
    </>
  );
}

export default function ReviewPanel({ incident, onChanged }: PanelProps) {
  const answer = useApiResource<ReviewAnswer>(`/api/v1/incidents/${incident.id}/review`);
  useReloadWhenChanged(incident.updatedAt, answer.reload);
  const [version, setVersion] = useState(0);
  const changed = async () => {
    await answer.reload();
    setVersion((v) => v + 1);
    onChanged();
  };

  let body: React.ReactNode;
  if (answer.error instanceof ApiError && answer.error.status === 403) {
    body = <p className="panel-note">Your role does not include this incident’s review.</p>;
  } else if (answer.error && !answer.data) {
    body = <ErrorState error={answer.error} retry={answer.reload} />;
  } else if (!answer.data) {
    body = <LoadingState label="Loading the review" />;
  } else {
    const a = answer.data;
    body = (
      <>
        <ReviewGate answer={a} />
        <ReviewStatus answer={a} onChanged={changed} />
        <h3>{a.review ? 'The review' : 'Write the review'}</h3>
        <ReviewEditor key={version} incidentId={incident.id} review={a.review} onSaved={changed} />
        <h3>Corrective and preventive actions</h3>
        <ReviewActions incidentId={incident.id} actions={a.actions} onChanged={changed} />
      </>
    );
  }
  return (
    <section className="panel" aria-labelledby="review-heading">
      <h2 id="review-heading">Post-incident review</h2>
      {body}
    </section>
  );
}
