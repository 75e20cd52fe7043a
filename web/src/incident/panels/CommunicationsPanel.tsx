/**
 * The communications composer: the incident's messages with their status, approval and
 * deliveries; drafting from the policy's templates, rewriting, previewing, approving and sending.
 */
import './panels.css';
import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.tsx';
import { useApiResource, useReloadWhenChanged } from '../../components/useApiResource.ts';
import type { PanelProps } from '../types.ts';
import { CommunicationCard } from './CommunicationCard.tsx';
import { CommunicationComposer } from './CommunicationComposer.tsx';
import type { Communication, MessageTemplate } from './communication-shapes.ts';

export default function CommunicationsPanel({ incident, onChanged }: PanelProps) {
  const list = useApiResource<{ items: Communication[] }>(`/api/v1/incidents/${incident.id}/communications`);
  useReloadWhenChanged(incident.updatedAt, list.reload);
  const templates = useApiResource<{ items: MessageTemplate[] }>('/api/v1/templates');
  const [editing, setEditing] = useState<Communication | null>(null);
  const [composing, setComposing] = useState(false);
  const closed = incident.closedAt !== null;

  const changed = async () => {
    await list.reload();
    onChanged();
  };
  const saved = async () => {
    setEditing(null);
    setComposing(false);
    await changed();
  };

  let body: React.ReactNode;
  if (list.error instanceof ApiError && list.error.status === 403) {
    body = <p className="panel-note">Your role does not include reading this incident’s communications.</p>;
  } else if (list.error && !list.data) {
    body = <ErrorState error={list.error} retry={list.reload} />;
  } else if (!list.data) {
    body = <LoadingState label="Loading communications" />;
  } else {
    const items = list.data.items;
    body = (
      <>
        {items.length === 0 ? (
          <EmptyState>No messages drafted yet.</EmptyState>
        ) : (
          <ul className="item-list">
            {items.map((c) =>
              editing?.id === c.id && templates.data ? (
                <li key={c.id} className="item-card">
                  <CommunicationComposer
                    incident={incident}
                    templates={templates.data.items}
                    editing={c}
                    onSaved={saved}
                    onCancel={() => setEditing(null)}
                  />
                </li>
              ) : (
                <CommunicationCard
                  key={c.id}
                  incidentId={incident.id}
                  c={c}
                  onEdit={() => setEditing(c)}
                  onChanged={changed}
                />
              ),
            )}
          </ul>
        )}
        {!closed && newMessage()}
      </>
    );
  }

  // Called, not rendered as a component: a component defined here would remount on every render.
  function newMessage() {
    if (templates.error) return <ErrorState error={templates.error} retry={templates.reload} />;
    if (!templates.data) return <LoadingState label="Loading templates" />;
    if (!composing) {
      return (
        <button type="button" className="primary" onClick={() => setComposing(true)}>
          Draft a message
        </button>
      );
    }
    return (
      <>
        <h3>New message</h3>
        <CommunicationComposer
          incident={incident}
          templates={templates.data.items}
          editing={null}
          onSaved={saved}
          onCancel={() => setComposing(false)}
        />
      </>
    );
  }

  return (
    <section className="panel" aria-labelledby="communications-heading">
      <h2 id="communications-heading">Communications</h2>
      {body}
    </section>
  );
}
