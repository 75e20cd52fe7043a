import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainEntry, GENESIS_HASH } from '../audit/audit-chain.ts';
import {
  archiveComment,
  buildManifest,
  fileEntry,
  prettyJson,
} from '../evidence/evidence-package-manifest.ts';
import type { PackageMember } from '../evidence/evidence-package-types.ts';
import { writePackageZip } from '../evidence/evidence-package-zip.ts';
import { captureIo } from './fixtures/capture-io.ts';
import { runCli } from './program.ts';

/** A one-entry package of INC-3, written as the builder writes them. */
async function writeSmallPackage(file: string): Promise<void> {
  const entry = chainEntry(
    { seq: 0, hash: GENESIS_HASH },
    {
      at: '2026-04-07T09:00:00.000Z',
      actor: 'user:a@x',
      action: 'incident.declared',
      subjectType: 'incident',
      subjectId: 'i3',
      detail: {},
    },
  );
  const files: [string, Buffer][] = [
    ['README.txt', Buffer.from('read me\n')],
    ['audit/segment.json', prettyJson([entry])],
  ];
  const manifestBytes = prettyJson(
    buildManifest({
      incident: { id: 'i3', reference: 'INC-3' },
      policyVersion: 'p'.repeat(64),
      lastChangeAt: entry.at,
      audit: { entries: 1, firstSeq: 1, lastSeq: 1, lastHash: entry.hash },
      files: files.map(([path, bytes]) => fileEntry(path, bytes)),
      purged: [],
    }),
  );
  const members = [['manifest.json', manifestBytes] as [string, Buffer], ...files].map(
    ([path, bytes]): PackageMember => ({ path, kind: 'bytes', bytes, compress: false }),
  );
  await writePackageZip(file, members, { mtime: new Date(entry.at), comment: archiveComment(manifestBytes) });
}

describe('vigil verify-package', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-cli-package-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function verify(...args: string[]) {
    const { io, captured } = captureIo();
    await runCli(['verify-package', ...args], io);
    return captured;
  }

  it('prints OK and a summary for an intact package, exit code 0', async () => {
    const file = join(dir, 'good.zip');
    await writeSmallPackage(file);
    const run = await verify(file);
    expect(run.err).toEqual([]);
    expect(run.exitCode ?? 0).toBe(0);
    expect(run.out).toEqual([
      'OK',
      `incident INC-3 (i3), policy version ${'p'.repeat(64)}`,
      'last change included: 2026-04-07T09:00:00.000Z',
      '2 files verified',
      expect.stringMatching(/^audit segment: 1 entries verified; last seq 1, hash [0-9a-f]{64}$/),
    ]);
    const json = await verify(file, '--json');
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ ok: true, problems: [] });
  });

  it('names the file that changed and exits 1', async () => {
    const file = join(dir, 'tampered.zip');
    await writeSmallPackage(file);
    const bytes = await readFile(file);
    // Stored uncompressed: the README's text is in the archive as is.
    const at = bytes.indexOf('read me');
    bytes[at] = 'R'.charCodeAt(0);
    await writeFile(file, bytes);
    const run = await verify(file);
    expect(run.exitCode).toBe(1);
    expect(run.out).toEqual([]);
    expect(run.err[0]).toBe(`FAILED: 1 problem(s) in ${file}`);
    expect(run.err[1]).toMatch(/^ {2}README\.txt: SHA-256 expected [0-9a-f]{64}, found [0-9a-f]{64}$/);
  });

  it('exits 1 for a file that is no package at all', async () => {
    const file = join(dir, 'nothing.zip');
    await writeFile(file, 'not a zip');
    const run = await verify(file);
    expect(run.exitCode).toBe(1);
    expect(run.err.join('\n')).toContain('cannot read');
  });
});
