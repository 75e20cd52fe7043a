import { resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyPackage } from '../evidence/evidence-package-verify.ts';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions } from './client-options.ts';

/**
 * `vigil export INCIDENT -o FILE.zip` downloads an incident's evidence
 * package from the server; `vigil verify-package FILE.zip` checks one
 * offline, with no server and no database.
 */
export function registerExportCommands(program: Command, io: CliIo): void {
  clientOptions(
    program
      .command('export')
      .description("download an incident's evidence package (a ZIP that verify-package checks offline)")
      .argument('<incident>', 'incident id or reference (INC-<n>)')
      .requiredOption('-o, --output <file>', 'where to write the ZIP'),
  ).action(async (incident: string, flags: ClientFlags & { output: string }) => {
    const file = resolve(flags.output);
    const path = `/api/v1/incidents/${encodeURIComponent(incident)}/evidence-package`;
    const { bytes, etag } = await clientFor(flags).download(path, file);
    const sha256 = etag?.replace(/^W\//, '').replace(/"/g, '') ?? null;
    if (flags.json) {
      io.out(JSON.stringify({ file, bytes, sha256 }, null, 2));
      return;
    }
    io.out(`wrote ${file} (${bytes} bytes${sha256 ? `, sha256 ${sha256}` : ''})`);
  });

  program
    .command('verify-package')
    .description('check an evidence package offline: every file hash, the manifest and the audit segment')
    .argument('<file>', 'the ZIP to check')
    .option('--json', 'print the verdict as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      const result = await verifyPackage(file);
      if (!result.ok) io.setExitCode(1);
      if (flags.json) {
        io.out(JSON.stringify(result, null, 2));
        return;
      }
      if (!result.ok) {
        io.err(`FAILED: ${result.problems.length} problem(s) in ${file}`);
        for (const problem of result.problems) io.err(`  ${problem}`);
        return;
      }
      const s = result.summary!;
      io.out('OK');
      io.out(`incident ${s.reference} (${s.incidentId}), policy version ${s.policyVersion}`);
      io.out(`last change included: ${s.lastChangeAt}`);
      io.out(
        `${s.files} files verified${s.purged > 0 ? `, ${s.purged} attachment(s) purged by retention` : ''}`,
      );
      io.out(
        s.lastSeq === null
          ? 'audit segment: no entries'
          : `audit segment: ${s.auditEntries} entries verified; last seq ${s.lastSeq}, hash ${s.lastHash}`,
      );
    });
}
