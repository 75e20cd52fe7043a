import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFound, PayloadTooLarge } from '../platform/errors.ts';
import { createEvidenceDiskStore } from './evidence-disk-store.ts';
import type { EvidenceStore } from './evidence-store.ts';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('evidence disk store', () => {
  let dir: string;
  let store: EvidenceStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-evidence-'));
    store = createEvidenceDiskStore(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores content under its SHA-256, fanned out as ab/cd/<hash>, and reads it back', async () => {
    const content = 'firewall log line 1\nline 2\n';
    const put = await store.put(Readable.from([content.slice(0, 7), content.slice(7)]), 1024);
    expect(put).toEqual({ sha256: sha(content), sizeBytes: Buffer.byteLength(content) });
    const name = path.join(put.sha256.slice(0, 2), put.sha256.slice(2, 4), put.sha256);
    expect(await filesUnder(dir)).toEqual([name]);
    expect(await readFile(path.join(dir, name), 'utf8')).toBe(content);
    expect(await text(await store.open(put.sha256))).toBe(content);
    expect(await store.has(put.sha256)).toBe(true);
  });

  it('stores identical content once', async () => {
    const first = await store.put(Readable.from(['same bytes']), 100);
    const second = await store.put(Readable.from(['same ', 'bytes']), 100);
    expect(second).toEqual(first);
    expect(await filesUnder(dir)).toHaveLength(1);
  });

  it('writes to a temp file and names the content only once it is complete', async () => {
    const source = new PassThrough();
    const putting = store.put(source, 1024);
    source.write('first half, ');
    // Until the stream ends there is a temp file and nothing under a hash name.
    await expect.poll(() => filesUnder(dir)).toEqual([expect.stringMatching(/^tmp\/[0-9a-f-]+\.part$/)]);
    source.end('second half');
    const { sha256 } = await putting;
    expect(sha256).toBe(sha('first half, second half'));
    expect(await filesUnder(dir)).toEqual([path.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256)]);
  });

  it('refuses content past the limit and leaves no file at all', async () => {
    const refused = store.put(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000);
    await expect(refused).rejects.toBeInstanceOf(PayloadTooLarge);
    await expect(refused).rejects.toMatchObject({ limitBytes: 1000 });
    expect(await filesUnder(dir)).toEqual([]);
    // The caller's stream is left open (an HTTP request must still be answered 413).
    const open = new PassThrough();
    open.write(Buffer.alloc(1200));
    await expect(store.put(open, 1000)).rejects.toBeInstanceOf(PayloadTooLarge);
    expect(open.destroyed).toBe(false);
    open.destroy();
    expect(await filesUnder(dir)).toEqual([]);
    // Exactly the limit is allowed.
    expect((await store.put(Readable.from([Buffer.alloc(1000)]), 1000)).sizeBytes).toBe(1000);
  });

  it('keeps nothing when the upload breaks off', async () => {
    const source = new PassThrough();
    const putting = store.put(source, 1024);
    source.write('partial');
    await expect.poll(() => filesUnder(dir)).toHaveLength(1);
    source.destroy(new Error('client went away'));
    await expect(putting).rejects.toThrow('client went away');
    expect(await filesUnder(dir)).toEqual([]);
  });

  it('answers NotFound for unknown or malformed hashes, and removes content once', async () => {
    await expect(store.open(sha('never stored'))).rejects.toBeInstanceOf(NotFound);
    await expect(store.open('../../etc/passwd')).rejects.toBeInstanceOf(NotFound);
    expect(await store.has('not-a-hash')).toBe(false);
    const { sha256 } = await store.put(Readable.from(['to be purged']), 100);
    expect(await store.remove(sha256)).toBe(true);
    expect(await store.remove(sha256)).toBe(false);
    expect(await store.has(sha256)).toBe(false);
    await expect(store.open(sha256)).rejects.toBeInstanceOf(NotFound);
  });
});
