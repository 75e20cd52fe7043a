import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.ts';
import { runCli } from '../../src/cli/program.ts';
import { createEvidenceDal } from '../../src/evidence/evidence-dal.ts';
import { createEvidenceDiskStore } from '../../src/evidence/evidence-disk-store.ts';
import { createEvidenceService } from '../../src/evidence/evidence-service.ts';
import {
  applyEdits,
  copyDefaultPolicyFolder,
  DEFAULT_FILE_TEXT,
} from '../../src/policy/fixtures/policy-variants.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { type S3Server, startS3Server } from '../support/s3-server.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Every file in the vault's directory, relative to it (temp files included). */
async function vaultFiles(t: TestVigil): Promise<string[]> {
  const entries = await readdir(t.evidenceDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(t.evidenceDir, path.join(e.parentPath, e.name)));
}

function memo<T>(f: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: f() };
    return value.v;
  };
}

/** `count` chunks of 1 MiB of deterministic bytes, generated as they are read. */
function generated(count: number): { stream: Readable; expected: () => string; size: number } {
  const hash = createHash('sha256');
  function* chunks() {
    for (let i = 0; i < count; i += 1) {
      const chunk = Buffer.alloc(1024 * 1024, i % 251);
      chunk.write(`chunk ${i}`);
      hash.update(chunk);
      yield chunk;
    }
  }
  return {
    stream: Readable.from(chunks()),
    expected: memo(() => hash.digest('hex')),
    size: count * 1024 * 1024,
  };
}

/** The evidence vault: uploads, custody records of downloads, limits, and the audit chain. */
describeEachDatabase('evidence vault', (dialect) => {
  let t: TestVigil;
  let d: ReturnType<typeof incidentDriver>;
  afterEach(async () => {
    await t.stop();
  });

  async function start(policyText?: string, s3?: S3Server) {
    t = await startTestVigil(dialect, {
      now: '2026-04-07T09:00:00Z',
      ...(policyText ? { policyPath: await copyDefaultPolicyFolder(policyText) } : {}),
      ...(s3 ? { evidenceS3: s3.settings } : {}),
    });
    d = incidentDriver(t);
    return d.declare({ title: 'Leaked access key', severity: 'high', description: 'key in a public log' });
  }

  const upload = (incident: string, query: string, payload: Buffer | string | Readable, type?: string) =>
    t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident}/evidence?${query}`,
      payload,
      headers: {
        ...(type ? { 'content-type': type } : {}),
        // As a streaming client sends it: no length known in advance.
        ...(payload instanceof Readable ? { 'transfer-encoding': 'chunked' } : {}),
      },
    });

  const auditEntries = (action: string) =>
    t.vigil.database.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .orderBy('seq')
      .execute();

  it('stores an upload by its SHA-256, records who added it, and audits the attachment', async () => {
    const incident = await start();
    const bytes = Buffer.from('2026-04-07T08:55:01Z GET /orders 200 key=AKIA...\n'.repeat(50));
    const res = await upload(incident.id, 'filename=access.log&description=CDN%20log', bytes, 'text/plain');
    expect(res.statusCode, res.body).toBe(201);
    const item = res.json() as Json;
    expect(item).toMatchObject({
      incidentId: incident.id,
      sha256: sha256(bytes),
      sizeBytes: bytes.length,
      mediaType: 'text/plain',
      filename: 'access.log',
      description: 'CDN log',
      addedBy: 'user:admin@localhost',
      addedAt: '2026-04-07T09:00:00.000Z',
      purgedAt: null,
    });
    expect(res.headers.location).toBe(`/api/v1/incidents/${incident.id}/evidence/${item.id}`);
    expect(item.links.content).toBe(`${res.headers.location}/content`);

    const hash = item.sha256 as string;
    expect(await vaultFiles(t)).toEqual([path.join(hash.slice(0, 2), hash.slice(2, 4), hash)]);
    const rows = await t.vigil.database.kysely.selectFrom('evidence_items').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ id: item.id, sha256: hash, size_bytes: bytes.length })]);

    const [attached, ...more] = await auditEntries('evidence.attached');
    expect(more).toEqual([]);
    expect(attached).toMatchObject({
      actor: 'user:admin@localhost',
      subject_type: 'incident',
      subject_id: incident.id,
    });
    expect(JSON.parse(attached!.detail)).toMatchObject({
      itemId: item.id,
      sha256: hash,
      sizeBytes: bytes.length,
    });

    // By reference too; the list and the record agree with the upload.
    const list = await t.api({ method: 'GET', url: `/api/v1/incidents/${incident.reference}/evidence` });
    expect(list.json().items).toEqual([item]);
    const one = await t.api({ method: 'GET', url: item.links.self });
    expect(one.json()).toEqual(item);
  });

  it('downloads identical bytes with their digest headers, and records who read them', async () => {
    const incident = await start();
    const bytes = Buffer.from([0, 1, 2, 255, 254, ...Buffer.from('screenshot')]);
    const item = (
      await upload(incident.id, `filename=${encodeURIComponent('Écran "1".png')}`, bytes, 'image/png')
    ).json() as Json;

    const res = await t.api({ method: 'GET', url: item.links.content });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.rawPayload.equals(bytes)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-length']).toBe(String(bytes.length));
    expect(res.headers.etag).toBe(`"${sha256(bytes)}"`);
    expect(res.headers['repr-digest']).toBe(
      `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`,
    );
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="_cran _1_.png"; filename*=UTF-8''%C3%89cran%20%221%22.png`,
    );

    const reads = await auditEntries('evidence.read');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ actor: 'user:admin@localhost', subject_id: incident.id });
    expect(JSON.parse(reads[0]!.detail)).toEqual({ itemId: item.id, sha256: sha256(bytes) });
    // Reading the record is not reading the content, and there is no HEAD that reads without a trace.
    await t.api({ method: 'GET', url: item.links.self });
    expect((await t.api({ method: 'HEAD', url: item.links.content })).statusCode).toBe(404);
    expect(await auditEntries('evidence.read')).toHaveLength(1);
  });

  it('stores identical content once, however many items name it', async () => {
    const incident = await start();
    const first = await upload(incident.id, 'filename=a.txt', 'same bytes');
    t.clock.advance(1000);
    const second = await upload(incident.id, 'filename=b.txt', 'same bytes');
    expect(second.json().sha256).toBe(first.json().sha256);
    expect(second.json().mediaType).toBe('application/octet-stream');
    expect(await vaultFiles(t)).toHaveLength(1);
    const list = await t.api({ method: 'GET', url: `/api/v1/incidents/${incident.id}/evidence` });
    expect(list.json().items.map((i: Json) => i.filename)).toEqual(['a.txt', 'b.txt']);
  });

  it('refuses an attachment past the policy limit, declared or streamed, keeping nothing', async () => {
    const incident = await start(
      applyEdits(DEFAULT_FILE_TEXT, [['maxAttachmentSize: 512 MiB', 'maxAttachmentSize: 64 KiB']]),
    );
    const declared = await upload(incident.id, 'filename=big.bin', Buffer.alloc(64 * 1024 + 1));
    expect(declared.statusCode).toBe(413);
    expect(declared.headers['content-type']).toContain('application/problem+json');
    const streamed = await upload(incident.id, 'filename=big.bin', generated(1).stream);
    expect(streamed.statusCode, streamed.body).toBe(413);
    expect(streamed.json()).toMatchObject({ status: 413, type: 'urn:vigil:problem:body-too-large' });
    expect(await t.vigil.database.kysely.selectFrom('evidence_items').selectAll().execute()).toEqual([]);
    expect(await vaultFiles(t)).toEqual([]);
    expect(await auditEntries('evidence.attached')).toEqual([]);
    // Exactly the limit is accepted.
    expect((await upload(incident.id, 'filename=ok.bin', Buffer.alloc(64 * 1024))).statusCode).toBe(201);
  });

  it('answers 404 for an unknown incident or item and 400 naming a bad filename, storing nothing', async () => {
    await start();
    const unknown = await upload(randomUUID(), 'filename=x.log', 'bytes for nobody');
    expect(unknown.statusCode).toBe(404);
    const incident = await d.declare({ title: 'Second', severity: 'low', description: 'x' });
    for (const name of ['../etc/passwd', 'a\\b', 'tab\there', '', '..']) {
      const bad = await upload(incident.id, `filename=${encodeURIComponent(name)}`, 'bytes');
      expect(bad.statusCode, name).toBe(400);
      expect(bad.json().errors.map((e: Json) => e.field)).toContain('query.filename');
    }
    const missing = await upload(incident.id, 'description=x', 'bytes');
    expect(missing.json().errors.map((e: Json) => e.field)).toContain('query.filename');
    const long = await upload(incident.id, `filename=a&description=${'x'.repeat(2001)}`, 'bytes');
    expect(long.json().errors.map((e: Json) => e.field)).toEqual(['query.description']);
    expect((await upload(incident.id, 'filename=a', 'bytes', 'not a type')).statusCode).toBe(415);
    const longType = await upload(incident.id, 'filename=a', 'bytes', `text/${'x'.repeat(300)}`);
    expect(longType.json().errors).toEqual([{ field: 'headers.content-type', reason: expect.any(String) }]);
    expect(await vaultFiles(t)).toEqual([]);
    expect(await t.vigil.database.kysely.selectFrom('evidence_items').selectAll().execute()).toEqual([]);
    const noItem = await t.api({
      method: 'GET',
      url: `/api/v1/incidents/${incident.id}/evidence/${randomUUID()}/content`,
    });
    expect(noItem.statusCode).toBe(404);
  });

  it('needs a token to upload or download, and keeps JSON-only parsing elsewhere', async () => {
    const incident = await start();
    const anonymous = await t.vigil.http.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/evidence?filename=a.txt`,
      payload: 'bytes',
    });
    expect(anonymous.statusCode).toBe(401);
    const list = await t.vigil.http.inject({
      method: 'GET',
      url: `/api/v1/incidents/${incident.id}/evidence`,
    });
    expect(list.statusCode).toBe(401);
    expect(await vaultFiles(t)).toEqual([]);
    const text = await t.api({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: 'title=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.statusCode).toBe(415);
  });

  it('answers 410 for content retention purged, while the record stays', async () => {
    const incident = await start();
    const item = (await upload(incident.id, 'filename=a.txt', 'to be purged')).json() as Json;
    await t.vigil.database.kysely
      .updateTable('evidence_items')
      .set({ purged_at: '2028-04-08T00:00:00.000Z' })
      .where('id', '=', item.id)
      .execute();
    expect((await t.api({ method: 'GET', url: item.links.content })).statusCode).toBe(410);
    expect((await t.api({ method: 'GET', url: item.links.self })).json().purgedAt).toBe(
      '2028-04-08T00:00:00.000Z',
    );
    expect(await auditEntries('evidence.read')).toEqual([]);
  });

  it('streams a 20 MiB upload and download, and the audit chain verifies after it all', async () => {
    const incident = await start();
    const source = generated(20);
    const res = await upload(incident.id, 'filename=disk.img', source.stream, 'application/octet-stream');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ sha256: source.expected(), sizeBytes: source.size });
    const listed = await t.vigil.evidence.listForIncident(t.vigil.database.kysely, incident.id);
    expect(listed.map((i) => i.sizeBytes)).toEqual([source.size]);

    const download = await t.api({ method: 'GET', url: res.json().links.content, payloadAsStream: true });
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of download.stream()) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect({ size, sha256: hash.digest('hex') }).toEqual({ size: source.size, sha256: source.expected() });

    const verify = await t.api({ method: 'GET', url: '/api/v1/audit/verify' });
    expect(verify.json()).toMatchObject({ ok: true });
    expect((await auditEntries('evidence.read')).length).toBe(1);
  });

  it('adds, lists and gets a file with `vigil evidence`, checking the download against its hash', async () => {
    const incident = await start();
    const url = await t.vigil.http.listen({ port: 0, host: '127.0.0.1' });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-evidence-cli-'));
    try {
      const vigil = async (...args: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        let code = 0;
        const io: CliIo = {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
          setExitCode: (c) => (code = c),
        };
        await runCli(['evidence', ...args, '--url', url, '--token', ADMIN_TOKEN], io);
        return { code, out: out.join('\n'), err: err.join('\n') };
      };
      const source = path.join(dir, 'mail headers.txt');
      const bytes = Buffer.from('Received: from mx.example.com\n'.repeat(1000));
      await writeFile(source, bytes);
      const added = await vigil(
        'add',
        incident.reference,
        source,
        '--description',
        'phish',
        '--media-type',
        'text/plain',
      );
      expect(added.err).toBe('');
      expect(added.out).toContain(`sha256:${sha256(bytes).slice(0, 16)}  mail headers.txt  phish`);
      const [item] = await t.vigil.evidence.list(incident.id);
      expect(item).toMatchObject({
        sizeBytes: bytes.length,
        mediaType: 'text/plain',
        filename: 'mail headers.txt',
      });

      const listed = await vigil('list', incident.reference);
      expect(listed.out.split('\n')).toEqual([expect.stringContaining(item!.id)]);

      const target = path.join(dir, 'copy.txt');
      const got = await vigil('get', incident.reference, item!.id, '-o', target);
      expect(got).toMatchObject({ code: 0, err: '' });
      expect(got.out).toBe(`saved ${target} (${bytes.length} bytes, sha256 ${sha256(bytes)})`);
      expect((await readFile(target)).equals(bytes)).toBe(true);
      expect(await auditEntries('evidence.read')).toHaveLength(1);

      const missing = await vigil('get', incident.reference, randomUUID(), '-o', path.join(dir, 'none'));
      expect(missing.code).toBe(1);
      expect(missing.err).toContain('404');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the content in an S3-compatible bucket when one is configured', async () => {
    const s3 = await startS3Server();
    try {
      const incident = await start(undefined, s3);
      const source = generated(6);
      const res = await upload(
        incident.id,
        'filename=capture.pcap',
        source.stream,
        'application/vnd.tcpdump.pcap',
      );
      expect(res.statusCode, res.body).toBe(201);
      const hash = source.expected();
      expect(res.json()).toMatchObject({ sha256: hash, sizeBytes: source.size });
      expect(s3.keys()).toEqual([`evidence/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`]);
      expect(await vaultFiles(t)).toEqual([]);
      const download = await t.api({ method: 'GET', url: res.json().links.content });
      expect(download.headers.etag).toBe(`"${hash}"`);
      expect(sha256(download.rawPayload)).toBe(hash);
      expect(await auditEntries('evidence.read')).toHaveLength(1);
    } finally {
      await s3.stop();
    }
  });

  it('removes the stored content again when the item cannot be committed', async () => {
    const incident = await start();
    const dal = createEvidenceDal();
    const store = createEvidenceDiskStore(t.evidenceDir);
    const failing = createEvidenceService({
      incident: t.vigil.incidentDeps,
      dal: {
        ...dal,
        insert: async () => {
          throw new Error('disk full');
        },
      },
      store,
      maxBytes: 1024,
    });
    const admin = await t.vigil.identity.authenticate(ADMIN_TOKEN);
    const attempt = failing.attach(admin, incident.id, Readable.from(['never committed']), {
      filename: 'a.txt',
      mediaType: 'text/plain',
      description: '',
    });
    await expect(attempt).rejects.toThrow('disk full');
    expect(await vaultFiles(t)).toEqual([]);
    expect(await auditEntries('evidence.attached')).toEqual([]);
    // Content another item already names is kept.
    const kept = (await upload(incident.id, 'filename=b.txt', 'shared bytes')).json() as Json;
    const again = failing.attach(admin, incident.id, Readable.from(['shared bytes']), {
      filename: 'c.txt',
      mediaType: 'text/plain',
      description: '',
    });
    await expect(again).rejects.toThrow('disk full');
    expect(await store.has(kept.sha256)).toBe(true);
  });
});
