/**
 * `vigil exercise …` (tabletop exercises) and `vigil status` (the
 * compliance status as a readable summary).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, collect, printAnswer } from './client-options.ts';

interface CadenceJson {
  state: string;
  lastCompletedOn: string | null;
  nextDueAt: string;
}

interface ExerciseJson {
  id: string;
  title: string;
  scheduledFor: string;
  status: string;
  completedOn: string | null;
}

/** The compliance status as the API answers it, the parts the summary prints. */
export interface StatusJson {
  onTrack: boolean;
  incidents: { breachedClocks: { reference: string; title: string; severity: string; phase: string }[] };
  reviews: { notApproved: { reference: string; title: string; state: string }[] };
  actions: { open: number; overdue: { title: string; owner: string; dueDate: string }[] };
  exercises: CadenceJson;
  breaches: {
    running: { reference: string; regime: string; obligation: string; dueAt: string | null; state: string }[];
  };
}

const exerciseLine = (e: ExerciseJson) =>
  `${e.id}  ${e.scheduledFor}  ${e.status.padEnd(9)} ${e.completedOn ? `done ${e.completedOn}  ` : ''}${e.title}`;

/** The status as lines a person reads: each area, and what in it needs attention. */
export function statusLines(s: StatusJson): string[] {
  const lines = [s.onTrack ? 'On track against the policy.' : 'Needs attention:'];
  const area = (label: string, items: string[]) => {
    lines.push(`${label}: ${items.length === 0 ? 'ok' : items.length}`);
    for (const item of items) lines.push(`  ${item}`);
  };
  area(
    'incidents with breached response clocks',
    s.incidents.breachedClocks.map((i) => `${i.reference}  ${i.severity}  ${i.phase}  ${i.title}`),
  );
  area(
    'reviews not approved',
    s.reviews.notApproved.map((r) => `${r.reference}  ${r.state}  ${r.title}`),
  );
  area(
    `overdue actions (of ${s.actions.open} open)`,
    s.actions.overdue.map((a) => `${a.dueDate}  ${a.owner}  ${a.title}`),
  );
  area(
    'breach deadlines running',
    s.breaches.running.map(
      (b) => `${b.reference}  ${b.regime}/${b.obligation}  ${b.state}  due ${b.dueAt ?? '-'}`,
    ),
  );
  lines.push(
    `next tabletop exercise due ${s.exercises.nextDueAt} (${s.exercises.state.replace('_', ' ')}; last ${s.exercises.lastCompletedOn ?? 'never'})`,
  );
  return lines;
}

interface RunFlags {
  source: string;
  signals: string;
  severity: string;
  realTime?: boolean;
  speedup?: number;
}

type LiveRunJson =
  | { speed: 'compressed'; reference: string; stored: number; firings: number }
  | { speed: 'real'; reference: string; scheduled: number; firstReleaseAt: string; lastReleaseAt: string };

export function registerExerciseCommands(program: Command, io: CliIo): void {
  const exercise = program.command('exercise').description('tabletop exercises');

  clientOptions(exercise.command('plan'))
    .description('plan a tabletop exercise')
    .requiredOption('--title <text>', 'what it is about')
    .requiredOption('--scenario <file>', 'the scenario, as a text or Markdown file')
    .requiredOption('--on <date>', 'when, YYYY-MM-DD')
    .requiredOption('--facilitator <email>', 'who runs it')
    .option('--participant <who>', 'who takes part (repeatable)', collect, [])
    .action(
      async (
        f: ClientFlags & {
          title: string;
          scenario: string;
          on: string;
          facilitator: string;
          participant: string[];
        },
      ) => {
        const body = {
          title: f.title,
          scenario: await readFile(f.scenario, 'utf8'),
          scheduledFor: f.on,
          facilitator: f.facilitator,
          participants: f.participant,
        };
        printAnswer(io, f, await clientFor(f).post<ExerciseJson>('/api/v1/exercises', body), (e) => [
          exerciseLine(e),
        ]);
      },
    );

  clientOptions(exercise.command('list'))
    .description('exercises and where the cadence stands')
    .action(async (f: ClientFlags) => {
      const answer = await clientFor(f).get<{ items: ExerciseJson[]; cadence: CadenceJson }>(
        '/api/v1/exercises',
      );
      printAnswer(io, f, answer, (a) => [
        `next due ${a.cadence.nextDueAt} (${a.cadence.state.replace('_', ' ')})`,
        ...a.items.map(exerciseLine),
      ]);
    });

  clientOptions(exercise.command('complete'))
    .description('record that an exercise took place, with its findings')
    .argument('<exercise>', 'exercise id')
    .requiredOption('--findings <text>', 'what it showed')
    .option('--on <date>', 'when it took place, YYYY-MM-DD (default today)')
    .action(async (id: string, f: ClientFlags & { findings: string; on?: string }) => {
      const body = { findings: f.findings, ...(f.on ? { completedOn: f.on } : {}) };
      printAnswer(
        io,
        f,
        await clientFor(f).post<ExerciseJson>(`/api/v1/exercises/${encodeURIComponent(id)}/complete`, body),
        (e) => [exerciseLine(e)],
      );
    });

  clientOptions(exercise.command('run'))
    .description('run an exercise live: open an exercise incident and replay a signal file through detection')
    .argument('<exercise>', 'exercise id')
    .requiredOption('--source <source>', 'the signal file’s format, e.g. sql-audit')
    .requiredOption('--signals <file>', 'the signal file (NDJSON for .jsonl/.ndjson)')
    .option('--severity <id>', 'severity of the exercise incident', 'high')
    .option('--real-time', 'release each record when its recorded time comes, instead of all at once')
    .option('--speedup <n>', 'with --real-time: play the file this many times faster', Number)
    .action(async (id: string, f: ClientFlags & RunFlags) => {
      const body = {
        source: f.source,
        severity: f.severity,
        signals: await readFile(f.signals, 'utf8'),
        contentType: /\.(jsonl|ndjson)$/i.test(f.signals) ? 'application/x-ndjson' : 'application/json',
        ...(f.realTime ? { speed: 'real' } : {}),
        ...(f.speedup === undefined ? {} : { speedup: f.speedup }),
      };
      const answer = await clientFor(f).post<LiveRunJson>(
        `/api/v1/exercises/${encodeURIComponent(id)}/run`,
        body,
      );
      printAnswer(io, f, answer, (r) => [
        r.speed === 'real'
          ? `${r.reference} opened for the exercise: ${r.scheduled} signals queued, released from ${r.firstReleaseAt} to ${r.lastReleaseAt}`
          : `${r.reference} opened for the exercise: ${r.stored} signals replayed, ${r.firings} rule firings`,
      ]);
    });

  clientOptions(program.command('status'))
    .description('what is on track against the policy, and what is not')
    .action(async (f: ClientFlags) => {
      printAnswer(io, f, await clientFor(f).get<StatusJson>('/api/v1/compliance/status'), statusLines);
    });
}
