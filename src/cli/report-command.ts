/**
 * `vigil report sla|detection|actions|exercises|iso27001 --from --to`: a
 * report from the server, printed or saved as JSON, CSV or a printable HTML page.
 */
import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { resolveClientConfig } from '../app/config.ts';
import { REPORT_FORMATS, REPORT_KINDS, type ReportKind } from '../report/report-types.ts';
import { ApiError, type ApiProblem } from './api-client.ts';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientOptions } from './client-options.ts';

const DESCRIPTIONS: Record<ReportKind, string> = {
  sla: 'response clocks met per severity, median and p90 times, breaches',
  detection: 'incidents by source and rule per month, and each rule’s detection quality',
  actions: 'open and overdue corrective actions',
  exercises: 'exercise history',
  iso27001: 'ISO/IEC 27001:2022 Annex A 5.24–5.28 and 6.8: evidence and gaps',
};

interface ReportFlags extends ClientFlags {
  from: string;
  to: string;
  format: string;
  output?: string;
}

/** GETs the report as text; a problem answer becomes an ApiError naming the fields. */
export async function fetchReport(
  flags: ClientFlags,
  kind: ReportKind,
  query: { from: string; to: string; format: string },
): Promise<string> {
  const { url, token } = resolveClientConfig(flags);
  const base = url.replace(/\/+$/, '');
  const search = new URLSearchParams(query).toString();
  let response: Response;
  try {
    response = await fetch(`${base}/api/v1/reports/${kind}?${search}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (error) {
    throw new Error(`cannot reach Vigil at ${base}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let problem: ApiProblem = {};
    try {
      problem = JSON.parse(text) as ApiProblem;
    } catch {
      problem = { detail: text };
    }
    throw new ApiError(response.status, problem);
  }
  return text;
}

export function registerReportCommands(program: Command, io: CliIo): void {
  const report = program.command('report').description('reports over a period (JSON, CSV or printable HTML)');
  for (const kind of REPORT_KINDS) {
    clientOptions(report.command(kind))
      .description(DESCRIPTIONS[kind])
      .requiredOption('--from <date>', 'first day YYYY-MM-DD (policy time zone) or an ISO 8601 instant')
      .requiredOption('--to <date>', 'last day YYYY-MM-DD (inclusive) or an ISO 8601 instant (exclusive)')
      .addOption(new Option('--format <format>', 'json | csv | html').choices(REPORT_FORMATS).default('json'))
      .option('-o, --output <file>', 'write the report to this file instead of printing it')
      .action(async (f: ReportFlags) => {
        const body = await fetchReport(f, kind, { from: f.from, to: f.to, format: f.format });
        if (f.output) {
          await writeFile(f.output, body, 'utf8');
          io.out(`wrote ${f.output} (${Buffer.byteLength(body)} bytes)`);
          return;
        }
        io.out(body.replace(/\r?\n$/, ''));
      });
  }
}
