/** One communication: its status, approval, deliveries, and the buttons that move it on. */
import { useId, useState } from 'react';
import { post } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { Instant } from '../../components/Instant.tsx';
import { useApiAction } from '../../components/useApiResource.ts';
import type { Communication, Preview } from './communication-shapes.ts';
import { StatusWord } from './status-word.tsx';

const who = (actor: string | null) => (actor ?? '').replace(/^user:/, '');

function Deliveries({ c }: { c: Communication }) {
  if (c.deliveries.length === 0) return null;
  // A list, not a table: it stays readable on a phone.
  return (
    <>
      <h5 className="deliveries-heading">Deliveries</h5>
      <ul className="deliveries">
        {c.deliveries.map((d) => (
          <li key={d.outboxId}>
            <span className="delivery-recipient">{d.recipient}</span> by {d.channel}{' '}
            <StatusWord status={d.status} />
            {d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}
            {d.sentAt && (
              <>
                {' '}
                <Instant at={d.sentAt} />
              </>
            )}
            {(d.lastError ?? d.response) && <div className="item-meta">{d.lastError ?? d.response}</div>}
          </li>
        ))}
      </ul>
    </>
  );
}

function PreviewMessages({ preview }: { preview: Preview }) {
  if (preview.messages.length === 0)
    return <p className="panel-note">No recipients: nothing would be sent.</p>;
  return (
    <section aria-label="Preview">
      <h4>Preview: exactly as it will be sent</h4>
      {preview.messages.map((m) => (
        <article key={m.recipient} className="message-preview">
          <p className="item-meta">
            To {m.recipientName} &lt;{m.recipient}&gt;
          </p>
          <p>
            <strong>Subject:</strong> {m.subject}
          </p>
          <pre>{m.text}</pre>
        </article>
      ))}
    </section>
  );
}

export function CommunicationCard({
  incidentId,
  c,
  onEdit,
  onChanged,
}: {
  incidentId: string;
  c: Communication;
  onEdit: () => void;
  onChanged: () => Promise<void>;
}) {
  const action = useApiAction();
  const [preview, setPreview] = useState<Preview | null>(null);
  const base = `/api/v1/incidents/${incidentId}/communications/${c.id}`;
  const editable = c.status === 'draft' || c.status === 'approved';
  // The composer drafts from templates only; a free-form message (drafted over the API) is not rewritten here.
  const rewritable = editable && c.template !== null;
  // Each card's buttons are described by its heading, so "Send" says which message.
  const headingId = useId();
  const title = c.template ? c.template.replaceAll('_', ' ') : (c.subject ?? 'free-form message');
  const act = (verb: 'approve' | 'send') => action.run(() => post(`${base}/${verb}`), onChanged);

  return (
    <li className="item-card">
      <h4 id={headingId}>
        {title} <span className="item-meta">to {c.audience}</span> <StatusWord status={c.status} />
      </h4>
      <p className="item-meta">
        Drafted by {who(c.createdBy)} <Instant at={c.createdAt} />
        {c.approvedAt ? (
          <>
            {' · '}approved by {who(c.approvedBy)} <Instant at={c.approvedAt} />
          </>
        ) : c.approvers.length > 0 ? (
          ` · needs approval by the ${c.approvers.map((r) => r.replaceAll('_', ' ')).join(' or ')}`
        ) : (
          ' · needs no approval'
        )}
        {c.queuedAt && (
          <>
            {' · '}queued by {who(c.queuedBy)} <Instant at={c.queuedAt} />
          </>
        )}
      </p>
      <div className="button-row">
        <button
          type="button"
          aria-describedby={headingId}
          onClick={() => action.run(() => post<Preview>(`${base}/preview`), setPreview)}
          disabled={action.busy}
        >
          Preview
        </button>
        {rewritable && (
          <button type="button" aria-describedby={headingId} onClick={onEdit} disabled={action.busy}>
            Edit
          </button>
        )}
        {c.status === 'draft' && c.approvers.length > 0 && (
          <button
            type="button"
            aria-describedby={headingId}
            onClick={() => act('approve')}
            disabled={action.busy}
          >
            Approve
          </button>
        )}
        {editable && (
          <button
            type="button"
            className="primary"
            aria-describedby={headingId}
            onClick={() => act('send')}
            disabled={action.busy}
          >
            Send
          </button>
        )}
        {preview && (
          <button type="button" onClick={() => setPreview(null)}>
            Hide preview
          </button>
        )}
      </div>
      <ActionProblem error={action.error} />
      {preview && <PreviewMessages preview={preview} />}
      <Deliveries c={c} />
    </li>
  );
}
