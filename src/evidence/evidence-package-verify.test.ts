import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainEntry, GENESIS_HASH } from '../audit/audit-chain.ts';
import type { AuditRecord } from '../audit/audit-types.ts';
import { sha256Hex } from '../platform/crypto.ts';
import { archiveComment, buildManifest, fileEntry, prettyJson } from './evidence-package-manifest.ts';
import type { PackageMember } from './evidence-package-types.ts';
import { verifyPackage } from './evidence-package-verify.ts';
import { writePackageZip } from './evidence-package-zip.ts';

const LAST_CHANGE = new Date('2026-04-07T10:15:00.000Z');
const attachment = Buffer.from('log line 1\nlog line 2\n');

function segment(): AuditRecord[] {
  const first = chainEntry(
    { seq: 6, hash: 'a'.repeat(64) },
    {
      at: '2026-04-07T09:00:00.000Z',
      actor: 'user:a@x',
      action: 'incident.declared',
      subjectType: 'incident',
      subjectId: 'i1',
      detail: { title: 'T' },
    },
  );
  const second = chainEntry(first, {
    at: LAST_CHANGE.toISOString(),
    actor: 'user:a@x',
    action: 'incident.acknowledged',
    subjectType: 'incident',
    subjectId: 'i1',
    detail: {},
  });
  return [first, second];
}

/** A small package as the builder lays it out; `change` may edit the members before they are written. */
async function writePackage(file: string, change: (files: Map<string, Buffer>) => void = () => undefined) {
  const entries = segment();
  const files = new Map<string, Buffer>([
    ['README.txt', Buffer.from('read me\n')],
    ['audit/segment.json', prettyJson(entries)],
    ['incident/incident.json', prettyJson({ id: 'i1', reference: 'INC-1' })],
  ]);
  const sha = sha256Hex(attachment);
  const streamed: PackageMember = {
    path: `attachments/${sha}-app.log`,
    kind: 'stream',
    sha256: sha,
    size: attachment.length,
    open: async () => Readable.from([attachment]),
  };
  const manifest = buildManifest({
    incident: { id: 'i1', reference: 'INC-1' },
    policyVersion: 'p'.repeat(64),
    lastChangeAt: LAST_CHANGE.toISOString(),
    audit: { entries: 2, firstSeq: 7, lastSeq: 8, lastHash: entries[1]!.hash },
    files: [
      ...[...files].map(([path, bytes]) => fileEntry(path, bytes)),
      { path: streamed.path, sha256: sha, size: attachment.length },
    ],
    purged: [],
  });
  const manifestBytes = prettyJson(manifest);
  files.set('manifest.json', manifestBytes);
  change(files);
  const members: PackageMember[] = [
    ...[...files].map(([path, bytes]): PackageMember => ({ path, kind: 'bytes', bytes, compress: true })),
    streamed,
  ];
  return writePackageZip(file, members, { mtime: LAST_CHANGE, comment: archiveComment(manifestBytes) });
}

describe('verifyPackage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-verify-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  const path = (name: string) => join(dir, name);

  it('accepts an intact package and sums it up', async () => {
    const written = await writePackage(path('good.zip'));
    expect(written.sha256).toBe(sha256Hex(await readFile(path('good.zip'))));
    const result = await verifyPackage(path('good.zip'));
    expect(result).toMatchObject({
      ok: true,
      problems: [],
      summary: {
        reference: 'INC-1',
        files: 4,
        auditEntries: 2,
        lastSeq: 8,
        lastChangeAt: LAST_CHANGE.toISOString(),
      },
    });
  });

  it('writes the same bytes whatever the time zone of the process', async () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      const a = await writePackage(path('ny.zip'));
      process.env.TZ = 'Asia/Tokyo';
      const b = await writePackage(path('tokyo.zip'));
      expect(a.sha256).toBe(b.sha256);
    } finally {
      process.env.TZ = zone;
    }
  });

  it('names a changed file with the expected and found hashes', async () => {
    await writePackage(path('changed.zip'), (files) => files.set('README.txt', Buffer.from('read me!\n')));
    const result = await verifyPackage(path('changed.zip'));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      `README.txt: SHA-256 expected ${sha256Hex('read me\n')}, found ${sha256Hex('read me!\n')}`,
    ]);
  });

  it('names files missing from the package and files the manifest does not list', async () => {
    await writePackage(path('moved.zip'), (files) => {
      files.set('incident/extra.json', files.get('incident/incident.json')!);
      files.delete('incident/incident.json');
    });
    const { problems } = await verifyPackage(path('moved.zip'));
    expect(problems).toEqual([
      'incident/incident.json: listed in manifest.json but missing from the package',
      'incident/extra.json: present but not listed in manifest.json',
    ]);
  });

  it('tells an edited manifest apart from an edited file, and checks its shape', async () => {
    await writePackage(path('manifest.zip'), (files) => {
      const manifest = JSON.parse(files.get('manifest.json')!.toString());
      manifest.incident.reference = 'INC-2';
      manifest.format = 'something-else';
      files.set('manifest.json', prettyJson(manifest));
    });
    const { problems } = await verifyPackage(path('manifest.zip'));
    expect(problems[0]).toMatch(/^manifest\.json: SHA-256 expected [0-9a-f]{64} \(archive comment\)/);
    expect(problems[1]).toMatch(/^manifest\.json: format: /);
  });

  it('names the audit entry that was changed, and a lastChangeAt the segment does not end with', async () => {
    await writePackage(path('audit.zip'), (files) => {
      const entries = JSON.parse(files.get('audit/segment.json')!.toString()) as AuditRecord[];
      entries[0]!.detail = '{"title":"Forged"}';
      entries[1]!.at = '2026-04-07T10:16:00.000Z';
      const bytes = prettyJson(entries);
      files.set('audit/segment.json', bytes);
      const manifest = JSON.parse(files.get('manifest.json')!.toString());
      manifest.files = manifest.files.map((f: { path: string }) =>
        f.path === 'audit/segment.json' ? fileEntry(f.path, bytes) : f,
      );
      files.set('manifest.json', prettyJson(manifest));
    });
    const { problems } = await verifyPackage(path('audit.zip'));
    // The manifest was re-hashed by the forger, but the archive comment was not.
    expect(problems[0]).toMatch(/^manifest\.json: SHA-256 expected/);
    expect(problems).toContainEqual(expect.stringMatching(/^audit seq 7: detail does not match its digest/));
    expect(problems).toContainEqual(expect.stringMatching(/^audit seq 8: hash does not match/));
    expect(problems).toContainEqual(
      "manifest.json: lastChangeAt 2026-04-07T10:15:00.000Z is not the last audit entry's time 2026-04-07T10:16:00.000Z",
    );
  });

  it('refuses a file that is not a ZIP, and a ZIP without a manifest', async () => {
    await writeFile(path('not.zip'), 'hello');
    const notZip = await verifyPackage(path('not.zip'));
    expect(notZip.ok).toBe(false);
    expect(notZip.problems[0]).toContain('cannot read');
    await writePackage(path('bare.zip'), (files) => files.delete('manifest.json'));
    expect((await verifyPackage(path('bare.zip'))).problems).toEqual(['manifest.json: is missing']);
  });
});

describe('writePackageZip', () => {
  it('fails, naming the file, when the vault hands out content other than what its hash names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-zip-'));
    try {
      const member: PackageMember = {
        path: 'attachments/x-app.log',
        kind: 'stream',
        sha256: GENESIS_HASH,
        size: attachment.length,
        open: async () => Readable.from([attachment]),
      };
      await expect(
        writePackageZip(join(dir, 'bad.zip'), [member], { mtime: LAST_CHANGE, comment: '' }),
      ).rejects.toThrow(/attachments\/x-app\.log: the vault's content is not what it was stored as/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
