import './pages.css';
import { useState } from 'react';
import { SIGNAL_SOURCES } from '../../../src/signal/signal-types.ts';
import { post } from '../api.ts';
import { ActionProblem } from '../components/ActionProblem.tsx';
import { EmptyState, ErrorState, LoadingState } from '../components/States.tsx';
import { Timestamp } from '../components/Timestamp.tsx';
import { useApiAction, useApiResource } from '../components/useApiResource.ts';
import { Link } from '../router.tsx';

interface Exercise {
  id: string;
  title: string;
  scenario: string;
  scheduledFor: string;
  facilitator: string;
  participants: string[];
  status: 'planned' | 'completed';
  findings: string | null;
  completedOn: string | null;
}
interface Cadence {
  state: 'on_track' | 'warning' | 'overdue';
  lastCompletedOn: string | null;
  nextDueAt: string;
}
interface RunOutcome {
  reference: string;
  speed: 'compressed' | 'real';
  stored?: number;
  firings?: number;
  scheduled?: number;
  lastReleaseAt?: string | null;
}

const CADENCE_WORDS: Record<Cadence['state'], [string, string]> = {
  on_track: ['On track', 'status-ok'],
  warning: ['Due soon', 'status-warn'],
  overdue: ['Overdue', 'status-bad'],
};

const list = (text: string) =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

function Schedule({ onDone }: { onDone: () => Promise<void> }) {
  const empty = { title: '', scenario: '', scheduledFor: '', facilitator: '', participants: '' };
  const [form, setForm] = useState(empty);
  const { busy, error, run } = useApiAction();
  const set = (key: keyof typeof empty) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  return (
    <form
      className="card"
      aria-labelledby="schedule-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run(
          () => post('/api/v1/exercises', { ...form, participants: list(form.participants) }),
          async () => {
            setForm(empty);
            await onDone();
          },
        );
      }}
    >
      <h2 id="schedule-title">Schedule an exercise</h2>
      <div className="form-grid">
        <div>
          <label htmlFor="ex-title">Title</label>
          <input id="ex-title" required value={form.title} onChange={set('title')} />
        </div>
        <div>
          <label htmlFor="ex-date">Date</label>
          <input id="ex-date" type="date" required value={form.scheduledFor} onChange={set('scheduledFor')} />
        </div>
        <div>
          <label htmlFor="ex-facilitator">Facilitator (email)</label>
          <input
            id="ex-facilitator"
            type="email"
            required
            value={form.facilitator}
            onChange={set('facilitator')}
          />
        </div>
        <div>
          <label htmlFor="ex-participants">Participants (emails, comma separated)</label>
          <input id="ex-participants" value={form.participants} onChange={set('participants')} />
        </div>
        <div className="wide">
          <label htmlFor="ex-scenario">Scenario</label>
          <textarea id="ex-scenario" rows={3} required value={form.scenario} onChange={set('scenario')} />
        </div>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        Schedule
      </button>
      <ActionProblem error={error} />
    </form>
  );
}

/** What a signal file may be replayed as: every source but Vigil's own, which ingestion refuses. */
const SOURCES = SIGNAL_SOURCES.filter((source) => source !== 'vigil');

/** Runs a planned exercise live: a signal file replayed through detection, at once or paced as recorded. */
function RunLive({ exercise, onDone }: { exercise: Exercise; onDone: () => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState('sql-audit');
  const [speed, setSpeed] = useState<'compressed' | 'real'>('compressed');
  const [speedup, setSpeedup] = useState('60');
  const [outcome, setOutcome] = useState<RunOutcome | null>(null);
  const { busy, error, run } = useApiAction();
  const id = exercise.id;
  return (
    <form
      aria-label={`Run ${exercise.title} live`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!file) return;
        void run(
          async () =>
            post<RunOutcome>(`/api/v1/exercises/${id}/run`, {
              source,
              signals: await file.text(),
              contentType: file.name.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json',
              speed,
              ...(speed === 'real' ? { speedup: Number(speedup) } : {}),
            }),
          async (answer) => {
            setOutcome(answer);
            await onDone();
          },
        );
      }}
    >
      <h3>Run live</h3>
      <div className="form-grid">
        <div>
          <label htmlFor={`file-${id}`}>Signal file</label>
          <input
            id={`file-${id}`}
            type="file"
            accept=".json,.jsonl,application/json"
            required
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <div>
          <label htmlFor={`source-${id}`}>Format</label>
          <select id={`source-${id}`} value={source} onChange={(e) => setSource(e.target.value)}>
            {SOURCES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>Speed</legend>
          <label>
            <input
              type="radio"
              name={`speed-${id}`}
              checked={speed === 'compressed'}
              onChange={() => setSpeed('compressed')}
            />{' '}
            All at once
          </label>
          <label>
            <input
              type="radio"
              name={`speed-${id}`}
              checked={speed === 'real'}
              onChange={() => setSpeed('real')}
            />{' '}
            As recorded
          </label>
        </fieldset>
        {speed === 'real' && (
          <div>
            <label htmlFor={`speedup-${id}`}>Times faster</label>
            <input
              id={`speedup-${id}`}
              type="number"
              min={1}
              max={3600}
              value={speedup}
              onChange={(e) => setSpeedup(e.target.value)}
            />
          </div>
        )}
      </div>
      <button type="submit" disabled={busy || !file}>
        Start the live run
      </button>
      <ActionProblem error={error} />
      {outcome && (
        <p className="success" role="status">
          Exercise incident <Link to={`/incidents/${outcome.reference}`}>{outcome.reference}</Link> opened:{' '}
          {outcome.speed === 'compressed'
            ? `${outcome.stored} signals replayed, ${outcome.firings} firings.`
            : `${outcome.scheduled} signals queued, the last at ${outcome.lastReleaseAt ?? '—'}.`}
        </p>
      )}
    </form>
  );
}

function Complete({ exercise, onDone }: { exercise: Exercise; onDone: () => Promise<void> }) {
  const [findings, setFindings] = useState('');
  const [completedOn, setCompletedOn] = useState('');
  const { busy, error, run } = useApiAction();
  const id = exercise.id;
  return (
    <form
      aria-label={`Record findings of ${exercise.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        void run(
          () =>
            post(`/api/v1/exercises/${id}/complete`, { findings, ...(completedOn ? { completedOn } : {}) }),
          onDone,
        );
      }}
    >
      <h3>Record findings</h3>
      <div className="form-grid">
        <div className="wide">
          <label htmlFor={`findings-${id}`}>Findings</label>
          <textarea
            id={`findings-${id}`}
            rows={3}
            required
            value={findings}
            onChange={(e) => setFindings(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor={`done-${id}`}>Held on (default today)</label>
          <input
            id={`done-${id}`}
            type="date"
            value={completedOn}
            onChange={(e) => setCompletedOn(e.target.value)}
          />
        </div>
      </div>
      <button type="submit" disabled={busy}>
        Mark as held
      </button>
      <ActionProblem error={error} />
    </form>
  );
}

function ExerciseCard({ exercise, onChanged }: { exercise: Exercise; onChanged: () => Promise<void> }) {
  return (
    <article className="card" aria-labelledby={`ex-${exercise.id}`}>
      <h2 id={`ex-${exercise.id}`}>{exercise.title}</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          {exercise.status === 'completed'
            ? `Held on ${exercise.completedOn}`
            : `Planned for ${exercise.scheduledFor}`}
        </dd>
        <dt>Facilitator</dt>
        <dd>{exercise.facilitator}</dd>
        <dt>Participants</dt>
        <dd>{exercise.participants.join(', ') || '—'}</dd>
        <dt>Scenario</dt>
        <dd>{exercise.scenario}</dd>
        {exercise.findings && (
          <>
            <dt>Findings</dt>
            <dd>{exercise.findings}</dd>
          </>
        )}
      </dl>
      {exercise.status === 'planned' && (
        <>
          <RunLive exercise={exercise} onDone={onChanged} />
          <Complete exercise={exercise} onDone={onChanged} />
        </>
      )}
    </article>
  );
}

/** Tabletop exercises on the policy's cadence: schedule, run live against a signal file, record findings. */
export default function ExercisesPage() {
  const data = useApiResource<{ items: Exercise[]; cadence: Cadence }>('/api/v1/exercises');
  const cadence = data.data?.cadence;
  return (
    <section aria-labelledby="exercises-title">
      <div className="page-head">
        <h1 id="exercises-title">Exercises</h1>
      </div>
      {cadence && (
        <p className="lead">
          Cadence: <span className={CADENCE_WORDS[cadence.state][1]}>{CADENCE_WORDS[cadence.state][0]}</span>.
          Last held {cadence.lastCompletedOn ?? 'never'}; next due <Timestamp at={cadence.nextDueAt} />.
        </p>
      )}
      {data.error ? <ErrorState error={data.error} retry={() => void data.reload()} /> : null}
      {data.loading && !data.data ? <LoadingState label="Loading exercises" /> : null}
      <Schedule onDone={data.reload} />
      {data.data && data.data.items.length === 0 && <EmptyState>No exercises yet.</EmptyState>}
      {data.data?.items.map((e) => (
        <ExerciseCard key={e.id} exercise={e} onChanged={data.reload} />
      ))}
    </section>
  );
}
