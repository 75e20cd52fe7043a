import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../test/support/s3-server.ts';
import { NotFound, PayloadTooLarge } from '../platform/errors.ts';
import { createEvidenceS3Store } from './evidence-s3-store.ts';
import type { EvidenceStore } from './evidence-store.ts';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const keyOf = (hash: string) => `evidence/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;

/** The S3 store against a real S3-compatible server (s3rver). */
describe('evidence S3 store', () => {
  let server: S3Server;
  let store: EvidenceStore;
  beforeAll(async () => {
    server = await startS3Server();
    store = createEvidenceS3Store(server.settings);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('stores content under its SHA-256 once, reads it back, and leaves no temp object', async () => {
    const content = 'proxy log 08:00-09:00\n';
    const put = await store.put(Readable.from([content.slice(0, 5), content.slice(5)]), 1024);
    expect(put).toEqual({ sha256: sha(content), sizeBytes: content.length });
    expect(await store.put(Readable.from([content]), 1024)).toEqual(put);
    expect(server.keys()).toEqual([keyOf(put.sha256)]);
    expect(await text(await store.open(put.sha256))).toBe(content);
    expect(await store.has(put.sha256)).toBe(true);
  });

  it('streams a multipart upload (12 MiB) and verifies it', async () => {
    const hash = createHash('sha256');
    function* chunks() {
      for (let i = 0; i < 12; i += 1) {
        const chunk = Buffer.alloc(1024 * 1024, i);
        hash.update(chunk);
        yield chunk;
      }
    }
    const put = await store.put(Readable.from(chunks()), 64 * 1024 * 1024);
    expect(put).toEqual({ sha256: hash.digest('hex'), sizeBytes: 12 * 1024 * 1024 });
    const back = createHash('sha256');
    for await (const chunk of await store.open(put.sha256)) back.update(chunk as Buffer);
    expect(back.digest('hex')).toBe(put.sha256);
    expect(await store.remove(put.sha256)).toBe(true);
  });

  it('refuses content past the limit, keeping nothing and leaving the caller’s stream alone', async () => {
    const before = server.keys();
    // A source that is still open, like an HTTP request mid-upload.
    const source = new PassThrough();
    source.write(Buffer.alloc(1200));
    await expect(store.put(source, 1000)).rejects.toBeInstanceOf(PayloadTooLarge);
    expect(source.destroyed).toBe(false);
    source.destroy();
    const broken = new PassThrough();
    const putting = store.put(broken, 1000);
    broken.write('partial');
    broken.destroy(new Error('client went away'));
    await expect(putting).rejects.toThrow('client went away');
    expect(server.keys()).toEqual(before);
  });

  it('answers NotFound for unknown or malformed hashes, and removes content once', async () => {
    await expect(store.open(sha('never stored'))).rejects.toBeInstanceOf(NotFound);
    await expect(store.open('../x')).rejects.toBeInstanceOf(NotFound);
    const { sha256 } = await store.put(Readable.from(['to be purged']), 100);
    expect(await store.remove(sha256)).toBe(true);
    expect(await store.remove(sha256)).toBe(false);
    expect(await store.has(sha256)).toBe(false);
  });
});
