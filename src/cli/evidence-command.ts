/**
 * `vigil evidence …`: attach files to an incident's evidence vault, list
 * them, and download one with its SHA-256 checked. Files are streamed both
 * ways, never read whole into memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';
import { incidentPath } from './incident-format.ts';

export interface EvidenceItemJson {
  id: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  filename: string;
  description: string;
  addedBy: string;
  addedAt: string;
  purgedAt: string | null;
}

export function evidenceLine(i: EvidenceItemJson): string {
  const state = i.purgedAt ? `  (purged ${i.purgedAt})` : '';
  const description = i.description ? `  ${i.description}` : '';
  return `${i.id}  ${i.addedAt}  ${String(i.sizeBytes).padStart(10)}  sha256:${i.sha256.slice(0, 16)}  ${i.filename}${description}${state}`;
}

/** The SHA-256 of a file, read as a stream. */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export function registerEvidenceCommands(program: Command, io: CliIo): void {
  const evidence = program.command('evidence').description('the evidence vault: attachments of an incident');

  clientOptions(evidence.command('add'))
    .description('attach a file (streamed; the server records its SHA-256 and who added it)')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .argument('<file>', 'the file to attach')
    .option('--description <text>', 'what the file is and where it came from')
    .option('--media-type <type>', 'its media type (default application/octet-stream)')
    .option('--name <filename>', 'the name to record (default: the file’s own name)')
    .action(
      async (
        incident: string,
        file: string,
        f: ClientFlags & { description?: string; mediaType?: string; name?: string },
      ) => {
        const { size } = await stat(file);
        const query = new URLSearchParams({ filename: f.name ?? path.basename(file) });
        if (f.description) query.set('description', f.description);
        const item = await clientFor(f).postStream<EvidenceItemJson>(
          `${incidentPath(incident, 'evidence')}?${query}`,
          createReadStream(file),
          f.mediaType ?? 'application/octet-stream',
          size,
        );
        printAnswer(io, f, item, (i) => [`attached ${i.filename}`, evidenceLine(i)]);
      },
    );

  clientOptions(evidence.command('list'))
    .description('the attachments of an incident, oldest first')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .action(async (incident: string, f: ClientFlags) => {
      const answer = await clientFor(f).get<{ items: EvidenceItemJson[] }>(
        incidentPath(incident, 'evidence'),
      );
      printAnswer(io, f, answer, (a) => (a.items.length ? a.items.map(evidenceLine) : ['no attachments']));
    });

  clientOptions(evidence.command('get'))
    .description('download an attachment (audited) and check its SHA-256')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .argument('<item>', 'the attachment’s id')
    .requiredOption('-o, --output <file>', 'where to write it')
    .action(async (incident: string, item: string, f: ClientFlags & { output: string }) => {
      const url = incidentPath(incident, `evidence/${encodeURIComponent(item)}/content`);
      const { bytes, etag } = await clientFor(f).download(url, f.output);
      const expected = etag?.replace(/^"|"$/g, '');
      const actual = await fileSha256(f.output);
      if (actual !== expected) {
        await rm(f.output, { force: true });
        io.err(`the download does not match its hash (expected ${expected}, got ${actual}); nothing kept`);
        io.setExitCode(1);
        return;
      }
      io.out(`saved ${f.output} (${bytes} bytes, sha256 ${actual})`);
    });
}
