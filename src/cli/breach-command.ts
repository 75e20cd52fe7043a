/**
 * `vigil breach …`: record a personal data breach on an incident, assess
 * it, draft, approve and submit reports, and print the breach register.
 */
import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, collect, printAnswer } from './client-options.ts';
import { incidentPath } from './incident-format.ts';

interface ClockJson {
  dueAt: string | null;
  metAt: string | null;
  state: string;
}

/** A breach as the API answers it, the parts the CLI prints. */
export interface BreachJson {
  reference: string;
  title: string;
  version: number;
  record: Record<string, unknown> & { status: string; role: string };
  assessment: {
    riskToRights: boolean;
    highRisk: boolean;
    rationale: string;
    exception: string | null;
  } | null;
  clocks: { customer: ClockJson | null; regulator: ClockJson | null };
  obligations: (ClockJson & { regime: string; obligation: string; name: string; reason: string | null })[];
  submissions: {
    id: string;
    regime: string;
    obligation: string;
    status: string;
    late: boolean | null;
    reference: string | null;
  }[];
}

const REGISTER_COLUMNS = [
  'reference',
  'title',
  'status',
  'role',
  'awarenessAt',
  'confirmedAt',
  'nature',
  'dataCategories',
  'peopleCategories',
  'approxPeople',
  'approxRecords',
  'likelyConsequences',
  'measuresTaken',
  'measuresProposed',
  'riskToRights',
  'highRisk',
  'decision',
  'regulatorDueAt',
  'regulatorState',
  'customerDueAt',
  'customerState',
  'submitted',
] as const;

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : Array.isArray(value) ? value.join('; ') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The register as CSV: a header row, then one row per breach. */
export function registerCsv(items: readonly BreachJson[]): string {
  const rows = items.map((b) => {
    const r = b.record;
    const row: Record<(typeof REGISTER_COLUMNS)[number], unknown> = {
      reference: b.reference,
      title: b.title,
      status: r.status,
      role: r.role,
      awarenessAt: r.awarenessAt,
      confirmedAt: r.confirmedAt,
      nature: r.nature,
      dataCategories: r.dataCategories,
      peopleCategories: r.peopleCategories,
      approxPeople: r.approxPeople,
      approxRecords: r.approxRecords,
      likelyConsequences: r.likelyConsequences,
      measuresTaken: r.measuresTaken,
      measuresProposed: r.measuresProposed,
      riskToRights: b.assessment?.riskToRights,
      highRisk: b.assessment?.highRisk,
      decision: b.assessment?.rationale,
      regulatorDueAt: b.clocks.regulator?.dueAt,
      regulatorState: b.clocks.regulator?.state,
      customerDueAt: b.clocks.customer?.dueAt,
      customerState: b.clocks.customer?.state,
      submitted: b.submissions
        .filter((s) => s.status === 'submitted')
        .map((s) => `${s.regime}/${s.obligation}${s.late ? ' (late)' : ''}`),
    };
    return REGISTER_COLUMNS.map((c) => csvField(row[c])).join(',');
  });
  return [REGISTER_COLUMNS.join(','), ...rows].join('\r\n');
}

function summary(b: BreachJson): string[] {
  const lines = [`${b.reference} breach v${b.version}: ${b.record.status}, ${b.record.role}`];
  if (b.assessment) {
    lines.push(
      `  assessed: ${b.assessment.riskToRights ? (b.assessment.highRisk ? 'high risk' : 'risk to rights') : 'no likely risk'}: ${b.assessment.rationale}`,
    );
  }
  for (const o of b.obligations) {
    lines.push(
      `  ${o.regime}/${o.obligation}  ${o.state.padEnd(12)} due ${o.dueAt ?? '-'}${o.metAt ? `  met ${o.metAt}` : ''}${o.reason ? `  (${o.reason})` : ''}`,
    );
  }
  for (const s of b.submissions)
    lines.push(
      `  report ${s.id}  ${s.regime}/${s.obligation}  ${s.status}${s.late ? ' late' : ''}${s.reference ? `  ref ${s.reference}` : ''}`,
    );
  return lines;
}

const breachPath = (incident: string, rest = '') => incidentPath(incident, `breach${rest}`);

export function registerBreachCommands(program: Command, io: CliIo): void {
  const breach = program
    .command('breach')
    .description('personal data breaches: record, assess, report, register');

  clientOptions(breach.command('set'))
    .description('record or change the breach record of an incident (each change a new version)')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .requiredOption('--status <status>', 'suspected | confirmed | ruled_out')
    .option('--role <role>', 'controller | processor', 'controller')
    .option('--aware <instant>', 'when the organisation became aware (ISO 8601)')
    .option('--confirmed <instant>', 'when it was confirmed (ISO 8601; default now for a confirmed breach)')
    .option('--nature <nature>', 'confidentiality | integrity | availability (repeatable)', collect, [])
    .option('--data <category>', 'category of personal data (repeatable)', collect, [])
    .option('--people <category>', 'category of people (repeatable)', collect, [])
    .option('--approx-people <n>', 'approximate number of people')
    .option('--approx-records <n>', 'approximate number of records')
    .option('--consequences <text>', 'likely consequences')
    .option('--measures-taken <text>', 'measures taken')
    .option('--measures-proposed <text>', 'measures proposed')
    .option('--contact <text>', 'contact point for more information')
    .action(async (incident: string, f: ClientFlags & Record<string, string | string[] | undefined>) => {
      const number = (v: unknown) => (typeof v === 'string' ? Number(v) : null);
      const body = {
        status: f.status,
        role: f.role,
        ...(f.aware ? { awarenessAt: f.aware } : {}),
        ...(f.confirmed ? { confirmedAt: f.confirmed } : {}),
        nature: f.nature,
        dataCategories: f.data,
        peopleCategories: f.people,
        approxPeople: number(f.approxPeople),
        approxRecords: number(f.approxRecords),
        likelyConsequences: f.consequences ?? '',
        measuresTaken: f.measuresTaken ?? '',
        measuresProposed: f.measuresProposed ?? '',
        contactPoint: f.contact ?? '',
      };
      const answer = await clientFor(f).put<BreachJson>(breachPath(incident), body);
      printAnswer(io, f, answer, summary);
    });

  clientOptions(breach.command('show'))
    .description("an incident's breach record, obligations and reports")
    .argument('<incident>', 'incident id or reference (INC-12)')
    .action(async (incident: string, f: ClientFlags) => {
      printAnswer(io, f, await clientFor(f).get<BreachJson>(breachPath(incident)), summary);
    });

  clientOptions(breach.command('assess'))
    .description('record the risk assessment (the regulator is told on a risk, people on a high risk)')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .option('--risk', 'likely to result in a risk to rights and freedoms')
    .option('--high-risk', 'likely to result in a high risk')
    .requiredOption('--rationale <text>', 'why')
    .option('--consulted <who>', 'who was consulted, e.g. legal (repeatable)', collect, [])
    .option('--exception <text>', 'why people need not be told despite a high risk')
    .action(
      async (
        incident: string,
        f: ClientFlags & {
          risk?: boolean;
          highRisk?: boolean;
          rationale: string;
          consulted: string[];
          exception?: string;
        },
      ) => {
        const body = {
          riskToRights: Boolean(f.risk || f.highRisk),
          highRisk: Boolean(f.highRisk),
          rationale: f.rationale,
          consulted: f.consulted,
          ...(f.exception ? { exception: f.exception } : {}),
        };
        printAnswer(
          io,
          f,
          await clientFor(f).post<BreachJson>(breachPath(incident, '/assessment'), body),
          summary,
        );
      },
    );

  clientOptions(breach.command('report'))
    .description('draft a report for one obligation from the breach record')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .requiredOption('--regime <id>', 'e.g. uk-gdpr')
    .requiredOption('--obligation <id>', 'e.g. regulator')
    .option('--follows-up <report>', 'the submitted report this one completes')
    .action(
      async (
        incident: string,
        f: ClientFlags & { regime: string; obligation: string; followsUp?: string },
      ) => {
        const body = {
          regime: f.regime,
          obligation: f.obligation,
          ...(f.followsUp ? { followsUp: f.followsUp } : {}),
        };
        printAnswer(
          io,
          f,
          await clientFor(f).post<BreachJson>(breachPath(incident, '/submissions'), body),
          summary,
        );
      },
    );

  clientOptions(breach.command('approve'))
    .description("approve a drafted report (the policy's regulator-contact approver)")
    .argument('<incident>', 'incident id or reference (INC-12)')
    .argument('<report>', 'report id')
    .action(async (incident: string, id: string, f: ClientFlags) => {
      printAnswer(
        io,
        f,
        await clientFor(f).post<BreachJson>(breachPath(incident, `/submissions/${id}/approve`), undefined),
        summary,
      );
    });

  clientOptions(breach.command('submit'))
    .description('record that a report was submitted (a late one needs --delay-reasons)')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .argument('<report>', 'report id')
    .requiredOption('--method <text>', 'how, e.g. "ICO online form"')
    .option('--reference <text>', "the authority's reference")
    .option('--at <instant>', 'when it was submitted (default now)')
    .option('--delay-reasons <text>', 'why it is late')
    .action(
      async (
        incident: string,
        id: string,
        f: ClientFlags & { method: string; reference?: string; at?: string; delayReasons?: string },
      ) => {
        const body = {
          method: f.method,
          ...(f.reference ? { reference: f.reference } : {}),
          ...(f.at ? { submittedAt: f.at } : {}),
          ...(f.delayReasons ? { delayReasons: f.delayReasons } : {}),
        };
        printAnswer(
          io,
          f,
          await clientFor(f).post<BreachJson>(breachPath(incident, `/submissions/${id}/submit`), body),
          summary,
        );
      },
    );

  clientOptions(breach.command('register'))
    .description('every breach recorded, notified or not')
    .option('--format <format>', 'csv | json', 'csv')
    .action(async (f: ClientFlags & { format: string }) => {
      const answer = await clientFor(f).get<{ items: BreachJson[] }>('/api/v1/breaches');
      if (f.format === 'json' || f.json) io.out(JSON.stringify(answer.items, null, 2));
      else if (f.format === 'csv') io.out(registerCsv(answer.items));
      else {
        io.err(`unknown format ${f.format}: csv or json`);
        io.setExitCode(2);
      }
    });
}
