import { Command, CommanderError } from 'commander';
import { VIGIL_VERSION } from '../app/version.ts';
import { DomainError, ValidationFailed } from '../platform/errors.ts';
import { formatPolicyIssue } from '../policy/policy-issues.ts';
import { PolicyInvalidError } from '../policy/policy-loader.ts';
import { ApiError } from './api-client.ts';
import { registerAuditCommands } from './audit-command.ts';
import { registerBackupCommand } from './backup-command.ts';
import { registerBreachCommands } from './breach-command.ts';
import type { CliIo } from './cli-io.ts';
import { registerCommsCommands } from './comms-command.ts';
import { registerCustomerCommands } from './customer-command.ts';
import { registerEvidenceCommands } from './evidence-command.ts';
import { registerExerciseCommands } from './exercise-command.ts';
import { registerExportCommands } from './export-command.ts';
import { registerIncidentCommands } from './incident-command.ts';
import { registerPolicyCommands } from './policy-command.ts';
import { registerReportCommands } from './report-command.ts';
import { registerRetentionCommands } from './retention-command.ts';
import { registerReviewCommands } from './review-command.ts';
import { registerServeCommands } from './serve-command.ts';
import { registerSignalCommands } from './signal-command.ts';
import { registerSlaCommands } from './sla-command.ts';
import { registerTokenCommands } from './token-command.ts';
import { registerUserCommands } from './user-command.ts';

/** Builds the `vigil` command tree; tests run it with their own io. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('vigil')
    .description('Vigil: incident response that runs the published process')
    .version(VIGIL_VERSION)
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  registerServeCommands(program, io);
  registerPolicyCommands(program, io);
  registerSlaCommands(program, io);
  registerAuditCommands(program, io);
  registerBackupCommand(program, io);
  registerIncidentCommands(program, io);
  registerUserCommands(program, io);
  registerTokenCommands(program, io);
  registerCustomerCommands(program, io);
  registerCommsCommands(program, io);
  registerSignalCommands(program, io);
  registerBreachCommands(program, io);
  registerReviewCommands(program, io);
  registerExerciseCommands(program, io);
  registerEvidenceCommands(program, io);
  registerRetentionCommands(program, io);
  registerExportCommands(program, io);
  registerReportCommands(program, io);
  return program;
}

/** Prints an error the way a person at a terminal needs it; exit code 1 (2 for usage). */
export function reportCliError(error: unknown, io: CliIo): void {
  if (error instanceof CommanderError) {
    io.setExitCode(error.exitCode === 0 ? 0 : 2);
    return;
  }
  io.setExitCode(1);
  if (error instanceof PolicyInvalidError) {
    for (const issue of error.issues) io.err(formatPolicyIssue(issue));
    io.err(`the policy has ${error.issues.length} error(s); nothing was started`);
  } else if (error instanceof ValidationFailed) {
    for (const issue of error.issues) io.err(`${issue.field}: ${issue.reason}`);
  } else if (error instanceof DomainError || error instanceof ApiError) {
    io.err(error.message);
  } else {
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<void> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    reportCliError(error, io);
  }
}
