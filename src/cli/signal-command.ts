/**
 * `vigil ingest`, `vigil detect` and `vigil rules test`: send signals to a
 * server, re-run detection over stored signals, and try detection rules
 * offline against a file of signals before deploying them.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import type { Firing } from '../detection/detection-types.ts';
import { createDetector, createMemoryWindowStore, rulesFromPolicy } from '../detection/detector.ts';
import { systemClock } from '../platform/clock.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import { findSignalAdapter } from '../signal/adapters/adapter-registry.ts';
import { issueField } from '../signal/signal-ingest-service.ts';
import { SIGNAL_SOURCES } from '../signal/signal-types.ts';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';
import { loadPolicyFor, printPolicyIssues } from './policy-command.ts';

interface ReceiptJson {
  received: number;
  stored: number;
  duplicates: number;
  incidents: { reference: string; opened: boolean }[];
}

function contentTypeOf(file: string): string {
  return /\.(jsonl|ndjson)$/i.test(file) ? 'application/x-ndjson' : 'application/json';
}

function incidentLines(incidents: ReceiptJson['incidents']): string[] {
  return incidents.map((i) => `  ${i.opened ? 'opened' : 'joined'} ${i.reference}`);
}

/** What `rules test` prints for one firing, and whether it would open an incident or join an earlier one. */
export function describeFirings(firings: readonly Firing[]): string[] {
  const opened: { keys: Set<string>; at: number; label: string; maxMs: number }[] = [];
  const lines: string[] = [];
  for (const f of firings) {
    const joined = opened.find(
      (o) => f.correlationKeys.some((k) => o.keys.has(k)) && f.at.getTime() - o.at <= f.maxCorrelationMs,
    );
    const head = `${f.at.toISOString()}  ${f.ruleId}  ${f.severity}  ${f.title}  (${f.count} signal${f.count === 1 ? '' : 's'})`;
    if (joined) {
      for (const k of f.correlationKeys) joined.keys.add(k);
      lines.push(`  joins ${joined.label}: ${head}`);
    } else {
      const label = `#${opened.length + 1}`;
      opened.push({ keys: new Set(f.correlationKeys), at: f.at.getTime(), label, maxMs: f.maxCorrelationMs });
      lines.push(`opens ${label}: ${head}`);
    }
  }
  lines.push(
    `${opened.length} incident${opened.length === 1 ? '' : 's'} would open from ${firings.length} firing${firings.length === 1 ? '' : 's'}`,
  );
  return lines;
}

/** Runs the policy's rules over a file of signals in `source`'s format, in memory, and prints what would fire. */
export async function runRulesTest(
  options: { policy?: string | undefined; signals: string; source: string },
  io: CliIo,
): Promise<void> {
  const loaded = await loadPolicyFor(options.policy);
  if (!loaded.ok) return printPolicyIssues(loaded.errors, io);
  const adapter = findSignalAdapter(options.source);
  if (!adapter) {
    io.err(`unknown source ${options.source}; one of ${SIGNAL_SOURCES.join(', ')}`);
    io.setExitCode(2);
    return;
  }
  const body = await readFile(options.signals, 'utf8');
  const parsed = adapter.parse(body, {
    contentType: contentTypeOf(options.signals),
    receivedAt: systemClock.now(),
  });
  if (!parsed.ok) {
    for (const issue of parsed.issues) io.err(`${issueField(issue)}: ${issue.reason}`);
    io.setExitCode(1);
    return;
  }
  const { policy } = loaded.policy;
  const calendar = createBusinessCalendar(calendarConfigFromPolicy(policy));
  const detector = createDetector(rulesFromPolicy(policy), {
    severityOrder: policy.severities.map((s) => s.id),
    isBusinessTime: (at) => calendar.isBusinessTime(at),
  });
  const store = createMemoryWindowStore();
  const firings: Firing[] = [];
  for (const [index, signal] of parsed.signals.entries()) {
    firings.push(...(await detector.observe({ ...signal, id: `signal-${index + 1}` }, store)));
  }
  io.out(`${parsed.signals.length} signals read from ${options.signals}`);
  for (const line of describeFirings(firings)) io.out(line);
  io.setExitCode(0);
}

export function registerSignalCommands(program: Command, io: CliIo): void {
  clientOptions(program.command('ingest'))
    .description('send a file of signals in a source’s own format (JSON, or NDJSON for .jsonl/.ndjson)')
    .argument('<source>', SIGNAL_SOURCES.join(' | '))
    .argument('<file>', 'the body to send')
    .action(async (source: string, file: string, flags: ClientFlags) => {
      const body = await readFile(file, 'utf8');
      const answer = await clientFor(flags).postText<ReceiptJson>(
        `/api/v1/signals/${encodeURIComponent(source)}`,
        body,
        contentTypeOf(file),
      );
      printAnswer(io, flags, answer, (r) => [
        `${r.received} received, ${r.stored} stored, ${r.duplicates} already stored`,
        ...incidentLines(r.incidents),
      ]);
    });

  clientOptions(program.command('detect'))
    .description(
      're-run detection over stored signals (backfill); firings already applied find their incidents again',
    )
    .requiredOption('--since <instant>', 'signals that occurred at or after this ISO 8601 instant')
    .option('--until <instant>', 'and before this one')
    .action(async (flags: ClientFlags & { since: string; until?: string }) => {
      const answer = await clientFor(flags).post<{ signals: number; incidents: ReceiptJson['incidents'] }>(
        '/api/v1/detection/replay',
        { since: flags.since, ...(flags.until ? { until: flags.until } : {}) },
      );
      printAnswer(io, flags, answer, (r) => [`${r.signals} signals replayed`, ...incidentLines(r.incidents)]);
    });

  const rules = program.command('rules').description('work with detection rules');
  rules
    .command('test')
    .description('replay a file of signals through the policy’s rules offline and print what would open')
    .option('--policy <file>', 'policy file (default: the built-in policy)')
    .requiredOption('--signals <file>', 'a body in the source’s format')
    .requiredOption('--source <source>', SIGNAL_SOURCES.join(' | '))
    .action(async (flags: { policy?: string; signals: string; source: string }) => {
      await runRulesTest(flags, io);
    });
}
