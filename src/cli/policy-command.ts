/**
 * `vigil policy …`: work with policy files before they are deployed.
 */
import type { Command } from 'commander';
import { formatPolicyIssue, type PolicyIssue } from '../policy/policy-issues.ts';
import { loadDefaultPolicy, loadPolicyFile, type PolicyLoadResult } from '../policy/policy-loader.ts';
import type { CliIo } from './cli-io.ts';

/** Loads the policy at `file`, or the built-in default policy when `file` is undefined. */
export function loadPolicyFor(file: string | undefined): Promise<PolicyLoadResult> {
  return file === undefined ? loadDefaultPolicy() : loadPolicyFile(file);
}

/**
 * Validates a policy file. Prints `policy OK: <source> (<version>)` and exits 0,
 * or prints every issue on stderr, one per line, then a count, and exits 1.
 *
 * @param file path of the policy; undefined checks the built-in default.
 */
export async function runPolicyCheck(file: string | undefined, io: CliIo): Promise<void> {
  const result = await loadPolicyFor(file);
  if (result.ok) {
    io.out(`policy OK: ${result.policy.source} (${result.policy.version})`);
    io.setExitCode(0);
    return;
  }
  printPolicyIssues(result.errors, io);
}

/** Prints each issue on stderr, one per line, then a count line, and sets exit code 1. */
export function printPolicyIssues(issues: readonly PolicyIssue[], io: CliIo): void {
  for (const issue of issues) io.err(formatPolicyIssue(issue));
  io.err(`policy invalid: ${issues.length} issue${issues.length === 1 ? '' : 's'}`);
  io.setExitCode(1);
}

/** Adds `vigil policy check [FILE]`. */
export function registerPolicyCommands(program: Command, io: CliIo): void {
  const policy = program.command('policy').description('inspect and validate policy files');
  policy
    .command('check')
    .description('validate a policy file (default: the built-in policy); exit 1 when it has errors')
    .argument('[file]', 'path of the policy YAML file')
    .action(async (file: string | undefined) => {
      await runPolicyCheck(file, io);
    });
}
