/**
 * The body of each HTML report: its figures as headed tables and lists.
 * Pure; every value goes through the escaping helpers of report-html-parts.ts.
 */
import type { ReportDocument } from './report-documents.ts';
import { escapeHtml, htmlTable, humanDuration, localTime, percent } from './report-html-parts.ts';
import { SLA_CLOCKS, SLA_TIMES, type SlaFigures } from './report-sla.ts';

type Doc<K extends ReportDocument['kind']> = Extract<ReportDocument, { kind: K }>;

const h2 = (text: string) => `<h2>${escapeHtml(text)}</h2>`;
const p = (text: string) => `<p>${escapeHtml(text)}</p>`;

function slaSections(doc: Doc<'sla'>): string {
  const f: SlaFigures = doc.figures;
  const zone = doc.header.timeZone;
  const all = [...f.severities, f.total];
  const clockRows = all.map((s) => [
    s.severity,
    s.incidents,
    ...SLA_CLOCKS.map((c) => {
      const x = s.clocks[c];
      return `${percent(x.shareMet)} (${x.met} met, ${x.breached} breached, ${x.running} running)`;
    }),
  ]);
  const timeRows = all.map((s) => [
    s.severity,
    ...SLA_TIMES.map(
      (t) =>
        `${humanDuration(s.times[t].medianSeconds)} / ${humanDuration(s.times[t].p90Seconds)} (n=${s.times[t].count})`,
    ),
  ]);
  const breachRows = f.breaches.map((b) => [
    b.reference,
    b.title,
    b.severity,
    b.clock,
    localTime(b.dueAt, zone),
    b.metAt ? localTime(b.metAt, zone) : b.status.replace(/_/g, ' '),
    b.periodsBreached,
  ]);
  return [
    p(
      `Real incidents opened in the period, by current severity. ${f.excludedExercises} exercise incident(s) left out.`,
    ),
    h2('Response clocks met on time'),
    htmlTable(['Severity', 'Incidents', ...SLA_CLOCKS], clockRows),
    h2('Times from opening: median / 90th percentile (wall-clock)'),
    htmlTable(['Severity', ...SLA_TIMES.map((t) => `to ${t}`)], timeRows),
    h2('Breaches'),
    htmlTable(
      ['Incident', 'Title', 'Severity', 'Clock', 'Due', 'Met', 'Periods late'],
      breachRows,
      () => 'late',
    ),
    p(
      'Share met = met on time / (met on time + breached). Percentiles are nearest-rank: the value at rank ⌈p/100 × n⌉ of the sorted times.',
    ),
  ].join('\n');
}

function detectionSections(doc: Doc<'detection'>): string {
  const f = doc.figures;
  return [
    p(
      `${f.incidents} real incident(s): ${f.manual} declared by a person, ${f.detection} opened by detection rules. ${f.excludedExercises} exercise incident(s) left out.`,
    ),
    h2('By month'),
    htmlTable(
      ['Month', 'Declared', 'Detected', 'Signal sources', 'Rules'],
      f.months.map((m) => [
        m.month,
        m.manual,
        m.detection,
        Object.entries(m.bySignalSource)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
        Object.entries(m.byRule)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
      ]),
    ),
    h2('Signal sources'),
    htmlTable(
      ['Source', 'Incidents fed'],
      f.signalSources.map((s) => [s.source, s.incidents]),
    ),
    h2('Detection quality per rule (noisiest first)'),
    htmlTable(
      ['Rule', 'Name', 'Opened', 'Confirmed', 'False positive', 'Duplicate', 'Untriaged', 'Noise'],
      f.rules.map((r) => [
        r.ruleId,
        r.ruleName,
        r.opened,
        r.confirmed,
        r.falsePositive,
        r.duplicate,
        r.untriaged,
        percent(r.noiseShare),
      ]),
    ),
  ].join('\n');
}

function actionSections(doc: Doc<'actions'>): string {
  const f = doc.figures;
  return [
    p(
      `As of ${f.today}: ${f.openCount} open, ${f.overdueCount} overdue. In the period ${f.createdInPeriod} created, ${f.doneInPeriod} done.`,
    ),
    h2('Open actions'),
    htmlTable(
      ['Incident', 'Title', 'Kind', 'Owner', 'Due', 'Status', 'Days overdue'],
      f.open.map((a) => [
        a.incidentReference ?? (a.fromExercise ? 'exercise' : null),
        a.title,
        a.kind,
        a.owner,
        a.dueDate,
        a.status,
        a.daysOverdue,
      ]),
      (i) => (f.open[i]?.overdue ? 'late' : ''),
    ),
  ].join('\n');
}

function exerciseSections(doc: Doc<'exercises'>): string {
  const f = doc.figures;
  return [
    p(
      `${f.completed} completed and ${f.planned} planned in the period. Last completed: ${f.lastCompletedOn ?? 'never'}.`,
    ),
    htmlTable(
      [
        'Title',
        'Scheduled',
        'Status',
        'Completed',
        'Facilitator',
        'Participants',
        'Findings',
        'Actions',
        'Live incidents',
      ],
      f.exercises.map((e) => [
        e.title,
        e.scheduledFor,
        e.status,
        e.completedOn,
        e.facilitator,
        e.participants,
        e.hasFindings,
        e.actions,
        e.liveIncidents,
      ]),
    ),
  ].join('\n');
}

function isoSections(doc: Doc<'iso27001'>): string {
  const { controls, summary } = doc.figures;
  return [
    p(`${summary.evidenced} evidenced, ${summary.partial} partial, ${summary.gap} with a gap.`),
    ...controls.map((c) =>
      [
        `<h2>${escapeHtml(`${c.control} ${c.name}`)} <span class="status ${escapeHtml(c.status)}">${escapeHtml(c.status)}</span></h2>`,
        p(c.description),
        htmlTable(
          ['Evidence', 'Value'],
          c.evidence.map((e) => [e.item, e.value]),
        ),
        c.gaps.length > 0
          ? `<ul class="gaps">${c.gaps.map((g) => `<li>${escapeHtml(g)}</li>`).join('')}</ul>`
          : p('No gaps found.'),
      ].join('\n'),
    ),
  ].join('\n');
}

export function reportSections(doc: ReportDocument): string {
  switch (doc.kind) {
    case 'sla':
      return slaSections(doc);
    case 'detection':
      return detectionSections(doc);
    case 'actions':
      return actionSections(doc);
    case 'exercises':
      return exerciseSections(doc);
    case 'iso27001':
      return isoSections(doc);
  }
}
