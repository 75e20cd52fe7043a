/**
 * `vigil sla …`: ask the policy when response clocks fall due, without a server.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import { computeSlaTargets, SLA_TARGET_NAMES, type SlaDueTargets } from '../sla/sla-targets.ts';
import type { CliIo } from './cli-io.ts';
import { loadPolicyFor, printPolicyIssues } from './policy-command.ts';

export interface SlaDueOptions {
  /** Severity id from the policy, e.g. `critical`. */
  severity: string;
  /** ISO 8601 instant with an offset or `Z`, e.g. `2026-04-07T10:00:00+01:00`. */
  opened: string;
  /** Path of a policy file; the built-in policy when absent. */
  policy?: string | undefined;
}

// An offset is required: a bare local time would silently depend on the machine's zone.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses `--opened`; null unless it is a valid ISO 8601 date-time with an offset or Z. */
export function parseOpenedAt(text: string): Date | null {
  if (!ISO_WITH_OFFSET.test(text)) return null;
  const parsed = DateTime.fromISO(text, { setZone: true });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** The JSON shape printed by `vigil sla due`: instants with the offset of `timeZone`. */
export function slaDueJson(due: SlaDueTargets, timeZone: string): Record<string, unknown> {
  const local = (instant: Date | null): string | null =>
    instant === null ? null : DateTime.fromJSDate(instant, { zone: timeZone }).toISO();
  const targets = Object.fromEntries(SLA_TARGET_NAMES.map((name) => [name, local(due.targets[name])]));
  return { severity: due.severity, openedAt: local(due.openedAt), outOfHours: due.outOfHours, targets };
}

function fail(io: CliIo, message: string): void {
  io.err(message);
  io.setExitCode(1);
}

/**
 * Prints, as one JSON object on stdout, when each response clock of an
 * incident of the given severity opened at the given instant falls due.
 * A bad policy, severity or date prints a message on stderr and exits 1.
 */
export async function runSlaDue(options: SlaDueOptions, io: CliIo): Promise<void> {
  const openedAt = parseOpenedAt(options.opened);
  if (openedAt === null) {
    return fail(
      io,
      `--opened: expected an ISO 8601 date-time with an offset, such as 2026-04-07T10:00:00+01:00 or 2026-04-07T09:00:00Z, found ${JSON.stringify(options.opened)}`,
    );
  }
  const loaded = await loadPolicyFor(options.policy);
  if (!loaded.ok) {
    return printPolicyIssues(loaded.errors, io);
  }
  const { policy } = loaded.policy;
  if (!policy.severities.some((severity) => severity.id === options.severity)) {
    const known = policy.severities.map((severity) => severity.id).join(', ');
    return fail(
      io,
      `--severity: unknown severity ${JSON.stringify(options.severity)}; the policy defines ${known}`,
    );
  }
  const calendar = createBusinessCalendar(calendarConfigFromPolicy(policy));
  const due = computeSlaTargets(policy, calendar, options.severity, openedAt);
  io.out(JSON.stringify(slaDueJson(due, policy.time.timeZone)));
  io.setExitCode(0);
}

/** Adds `vigil sla due --severity SEV --opened ISO [--policy FILE]`. */
export function registerSlaCommands(program: Command, io: CliIo): void {
  const sla = program.command('sla').description('response clocks (SLA targets) computed from the policy');
  sla
    .command('due')
    .description('print when each response clock of an incident falls due, as JSON')
    .requiredOption('--severity <id>', 'severity id from the policy, e.g. critical')
    .requiredOption(
      '--opened <instant>',
      'when the incident was opened: ISO 8601 with offset, e.g. 2026-04-07T10:00:00+01:00',
    )
    .option('--policy <file>', 'policy file (default: the built-in policy)')
    .action(async (options: SlaDueOptions) => {
      await runSlaDue(options, io);
    });
}
