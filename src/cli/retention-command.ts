/**
 * `vigil retention preview` and `vigil retention run [--dry-run]`: what the
 * retention policy would remove now and why, and a purge pass run through
 * the API (an admin's token).
 */
import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';

interface DueJson {
  reference: string;
  closedAt: string;
  dueAt: string;
  hold: { placedBy: string; reason: string } | null;
}

interface PreviewJson {
  telemetry: { keep: string; cutoff: string; due: number; oldestDueReceivedAt: string | null };
  evidence: { keep: string; due: DueJson[]; held: DueJson[] };
}

interface RunJson {
  dryRun: boolean;
  telemetry: { cutoff: string; deleted: number; batches: unknown[] };
  incidents: { reference: string; closedAt: string; removed: Record<string, { count: number }> }[];
  held: DueJson[];
  failures: { reference: string; error: string }[];
}

const heldLine = (d: DueJson) =>
  `  ${d.reference}  held by ${d.hold?.placedBy ?? '?'} (due ${d.dueAt}): ${d.hold?.reason ?? ''}`;

/** The preview as lines a person reads. */
export function previewLines(p: PreviewJson): string[] {
  return [
    `telemetry (kept ${p.telemetry.keep} after receipt): ${p.telemetry.due} signals received before ${p.telemetry.cutoff} would go` +
      (p.telemetry.oldestDueReceivedAt ? `, the oldest received ${p.telemetry.oldestDueReceivedAt}` : ''),
    `incident evidence (kept ${p.evidence.keep} after closing): ${p.evidence.due.length} incident(s) due`,
    ...p.evidence.due.map((d) => `  ${d.reference}  closed ${d.closedAt}, due ${d.dueAt}`),
    `held back by a legal hold: ${p.evidence.held.length}`,
    ...p.evidence.held.map(heldLine),
  ];
}

/** A pass's report as lines a person reads. */
export function runLines(r: RunJson): string[] {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const rows = (removed: Record<string, { count: number }>) =>
    Object.values(removed).reduce((sum, t) => sum + t.count, 0);
  return [
    r.dryRun ? 'dry run: nothing was changed' : 'purge pass done',
    `telemetry: ${verb} ${r.telemetry.deleted} signals received before ${r.telemetry.cutoff}`,
    `incident evidence: ${verb} ${r.incidents.length} incident(s)`,
    ...r.incidents.map((i) => `  ${i.reference}  closed ${i.closedAt}: ${rows(i.removed)} rows`),
    `held back by a legal hold: ${r.held.length}`,
    ...r.held.map(heldLine),
    ...r.failures.map((f) => `failed: ${f.reference}: ${f.error}`),
  ];
}

export function registerRetentionCommands(program: Command, io: CliIo): void {
  const retention = program.command('retention').description('retention of telemetry and incident evidence');

  clientOptions(retention.command('preview'))
    .description('what the retention policy would remove now, and what a legal hold keeps')
    .action(async (f: ClientFlags) => {
      printAnswer(io, f, await clientFor(f).get<PreviewJson>('/api/v1/retention/preview'), previewLines);
    });

  clientOptions(retention.command('run'))
    .description('run a purge pass now (admin)')
    .option('--dry-run', 'report what would go and change nothing')
    .action(async (f: ClientFlags & { dryRun?: boolean }) => {
      const answer = await clientFor(f).post<RunJson>(
        `/api/v1/retention/run?dryRun=${f.dryRun === true}`,
        undefined,
      );
      printAnswer(io, f, answer, runLines);
      if (answer.failures.length > 0) io.setExitCode(1);
    });
}
