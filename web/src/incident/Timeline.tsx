/** The incident's timeline, oldest first, filterable by kind; notes and decisions are added here. */
import { useState } from 'react';
import { post } from '../api.ts';
import { Instant } from '../components/Instant.tsx';
import { ErrorState } from '../components/States.tsx';
import { useApiAction } from '../components/useApiResource.ts';
import { actorLabel, humanise } from '../format.ts';

export interface TimelineEntry {
  id: string;
  seq: number;
  at: string;
  kind: string;
  actor: string;
  summary: string;
  data: Record<string, unknown>;
}

export function Timeline(props: {
  incidentId: string;
  entries: TimelineEntry[];
  onAdded: (entry: TimelineEntry) => void;
  readOnly: boolean;
}) {
  const [kind, setKind] = useState('');
  const kinds = [...new Set(props.entries.map((e) => e.kind))].sort();
  const shown = kind ? props.entries.filter((e) => e.kind === kind) : props.entries;
  return (
    <section className="incident-section" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {!props.readOnly && <AddEntry incidentId={props.incidentId} onAdded={props.onAdded} />}
      <div className="inline-form">
        <div>
          <label htmlFor="timeline-kind">Show</label>
          <select id="timeline-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">Every kind ({props.entries.length})</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {humanise(k)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ol className="timeline" aria-live="polite">
        {shown.map((e) => (
          <li key={e.id} className={`timeline-entry timeline-${e.kind}`}>
            <div className="timeline-meta">
              <Instant at={e.at} /> · <span className="timeline-kind">{humanise(e.kind)}</span> ·{' '}
              {actorLabel(e.actor)}
            </div>
            <div className="timeline-summary">{e.summary}</div>
            {e.kind === 'decision' && typeof e.data.rationale === 'string' && (
              <div className="muted">Why: {e.data.rationale}</div>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function AddEntry({ incidentId, onAdded }: { incidentId: string; onAdded: (entry: TimelineEntry) => void }) {
  const action = useApiAction();
  const [kind, setKind] = useState<'note' | 'decision'>('note');
  const [text, setText] = useState('');
  const [rationale, setRationale] = useState('');
  return (
    <form
      className="timeline-add"
      aria-label="Add to the timeline"
      onSubmit={(e) => {
        e.preventDefault();
        const body = {
          kind,
          text: text.trim(),
          ...(kind === 'decision' && rationale.trim() ? { rationale: rationale.trim() } : {}),
        };
        void action.run(
          () => post<TimelineEntry>(`/api/v1/incidents/${incidentId}/timeline`, body),
          (entry) => {
            setText('');
            setRationale('');
            onAdded(entry);
          },
        );
      }}
    >
      <fieldset>
        <legend>Add</legend>
        <label className="check">
          <input type="radio" name="entry-kind" checked={kind === 'note'} onChange={() => setKind('note')} />{' '}
          Note
        </label>
        <label className="check">
          <input
            type="radio"
            name="entry-kind"
            checked={kind === 'decision'}
            onChange={() => setKind('decision')}
          />{' '}
          Decision
        </label>
      </fieldset>
      <label htmlFor="entry-text">{kind === 'note' ? 'Note' : 'What was decided'}</label>
      <textarea id="entry-text" rows={2} required value={text} onChange={(e) => setText(e.target.value)} />
      {kind === 'decision' && (
        <>
          <label htmlFor="entry-rationale">Why (rationale)</label>
          <textarea
            id="entry-rationale"
            rows={2}
            value={rationale}
            onChange={(e) => setRationale(e.target.value)}
          />
        </>
      )}
      <button type="submit" disabled={action.busy}>
        Add {kind}
      </button>
      {action.error !== null && <ErrorState error={action.error} />}
    </form>
  );
}
