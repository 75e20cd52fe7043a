/**
 * Each report as one CSV: its main table (RFC 4180, CRLF line ends, a
 * header row). Which table is main, per report:
 * - sla: one row per severity and one `all` row; per clock met, breached,
 *   running, not needed and share met; per time count, median and p90 in seconds;
 * - detection: one row per detection rule, its quality counts;
 * - actions: one row per open action;
 * - exercises: one row per exercise of the period;
 * - iso27001: one row per control, with its status, evidence and gaps.
 */
import type { RuleQuality } from './report-detection.ts';
import type { ReportDocument } from './report-documents.ts';
import type { ActionLine } from './report-follow-up.ts';
import type { ControlFinding } from './report-iso27001.ts';
import { type SeverityFigures, SLA_CLOCKS, SLA_TIMES } from './report-sla.ts';
import type { ExerciseRow } from './report-types.ts';

export type Cell = string | number | boolean | null;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function slaRow(s: SeverityFigures): Cell[] {
  return [
    s.severity,
    s.incidents,
    ...SLA_CLOCKS.flatMap((c) => {
      const f = s.clocks[c];
      return [f.met, f.breached, f.running, f.notNeeded, f.shareMet];
    }),
    ...SLA_TIMES.flatMap((t) => [s.times[t].count, s.times[t].medianSeconds, s.times[t].p90Seconds]),
  ];
}

const SLA_COLUMNS = [
  'severity',
  'incidents',
  ...SLA_CLOCKS.flatMap((c) =>
    ['met', 'breached', 'running', 'not_needed', 'share_met'].map((f) => `${snake(c)}_${f}`),
  ),
  ...SLA_TIMES.flatMap((t) => ['count', 'median_seconds', 'p90_seconds'].map((f) => `time_to_${t}_${f}`)),
];

/** Named columns, each reading one cell from a row. */
type Columns<T> = readonly (readonly [string, (row: T) => Cell])[];

function table<T>(columns: Columns<T>, rows: readonly T[]): Table {
  return {
    columns: columns.map(([name]) => name),
    rows: rows.map((r) => columns.map(([, cell]) => cell(r))),
  };
}

const RULE_COLUMNS: Columns<RuleQuality> = [
  ['rule_id', (r) => r.ruleId],
  ['rule_name', (r) => r.ruleName],
  ['opened', (r) => r.opened],
  ['confirmed', (r) => r.confirmed],
  ['false_positive', (r) => r.falsePositive],
  ['duplicate', (r) => r.duplicate],
  ['untriaged', (r) => r.untriaged],
  ['noise_share', (r) => r.noiseShare],
];

const ACTION_COLUMNS: Columns<ActionLine> = [
  ['id', (a) => a.id],
  ['incident', (a) => a.incidentReference],
  ['from_exercise', (a) => a.fromExercise],
  ['title', (a) => a.title],
  ['kind', (a) => a.kind],
  ['owner', (a) => a.owner],
  ['due_date', (a) => a.dueDate],
  ['status', (a) => a.status],
  ['overdue', (a) => a.overdue],
  ['days_overdue', (a) => a.daysOverdue],
];

const EXERCISE_COLUMNS: Columns<ExerciseRow> = [
  ['id', (e) => e.id],
  ['title', (e) => e.title],
  ['scheduled_for', (e) => e.scheduledFor],
  ['status', (e) => e.status],
  ['completed_on', (e) => e.completedOn],
  ['facilitator', (e) => e.facilitator],
  ['participants', (e) => e.participants],
  ['findings', (e) => e.hasFindings],
  ['actions', (e) => e.actions],
  ['live_incidents', (e) => e.liveIncidents],
];

const CONTROL_COLUMNS: Columns<ControlFinding> = [
  ['control', (c) => c.control],
  ['name', (c) => c.name],
  ['status', (c) => c.status],
  ['evidence', (c) => c.evidence.map((e) => `${e.item}: ${e.value}`).join('; ')],
  ['gaps', (c) => c.gaps.join('; ')],
];

/** The report's main table (see the file comment). */
export function mainTable(doc: ReportDocument): Table {
  switch (doc.kind) {
    case 'sla':
      return { columns: SLA_COLUMNS, rows: [...doc.figures.severities, doc.figures.total].map(slaRow) };
    case 'detection':
      return table(RULE_COLUMNS, doc.figures.rules);
    case 'actions':
      return table(ACTION_COLUMNS, doc.figures.open);
    case 'exercises':
      return table(EXERCISE_COLUMNS, doc.figures.exercises);
    case 'iso27001':
      return table(CONTROL_COLUMNS, doc.figures.controls);
  }
}

/**
 * One CSV field: quoted when it holds a comma, quote or line break. Text
 * starting with `=`, `+`, `-` or `@` gets a leading apostrophe so that a
 * spreadsheet shows it instead of running it as a formula (titles are user input).
 */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function tableCsv(table: Table): string {
  return [table.columns, ...table.rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

export function reportCsv(doc: ReportDocument): string {
  return tableCsv(mainTable(doc));
}
