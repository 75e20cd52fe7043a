/**
 * `vigil policy …`: work with policy files before they are deployed.
 */
import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { formatPolicyIssue, type PolicyIssue } from '../policy/policy-issues.ts';
import { loadDefaultPolicy, loadPolicyFile, type PolicyLoadResult } from '../policy/policy-loader.ts';
import { buildTrustDocument } from '../trust/trust-document.ts';
import { renderTrustHtml } from '../trust/trust-html.ts';
import { renderTrustMarkdown } from '../trust/trust-markdown.ts';
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

/** The formats `vigil policy render` writes. */
export type TrustFormat = 'html' | 'md';

/**
 * Renders the public trust-centre page from a policy, offline. Writes it to
 * `out` (printing the path) or, without `out`, to standard output. An invalid
 * policy prints its issues and exits 1, like `vigil policy check`.
 *
 * @param options.policy path of the policy; undefined renders the built-in default.
 */
export async function runPolicyRender(
  options: { format: TrustFormat; policy?: string | undefined; out?: string | undefined },
  io: CliIo,
): Promise<void> {
  const result = await loadPolicyFor(options.policy);
  if (!result.ok) {
    printPolicyIssues(result.errors, io);
    return;
  }
  const doc = buildTrustDocument(result.policy);
  const text = options.format === 'html' ? renderTrustHtml(doc) : renderTrustMarkdown(doc);
  if (options.out === undefined) {
    // The rendered text ends with a newline; io.out adds one of its own.
    io.out(text.replace(/\n$/, ''));
  } else {
    await writeFile(options.out, text);
    io.out(`wrote ${options.out} (${options.format}, policy ${result.policy.version})`);
  }
  io.setExitCode(0);
}

/** Adds `vigil policy check [FILE]` and `vigil policy render`. */
export function registerPolicyCommands(program: Command, io: CliIo): void {
  const policy = program.command('policy').description('inspect and validate policy files');
  policy
    .command('check')
    .description('validate a policy file (default: the built-in policy); exit 1 when it has errors')
    .argument('[file]', 'path of the policy YAML file')
    .action(async (file: string | undefined) => {
      await runPolicyCheck(file, io);
    });
  policy
    .command('render')
    .description('write the public trust-centre page generated from a policy (offline)')
    .addOption(new Option('--format <format>', 'output format').choices(['html', 'md']).default('html'))
    .option('--policy <file>', 'policy YAML file (default: the built-in policy)')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (opts: { format: TrustFormat; policy?: string; output?: string }) => {
      await runPolicyRender({ format: opts.format, policy: opts.policy, out: opts.output }, io);
    });
}
