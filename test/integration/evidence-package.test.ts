import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { computeEntryHash } from '../../src/audit/audit-chain.ts';
import type { AuditRecord } from '../../src/audit/audit-types.ts';
import { captureIo } from '../../src/cli/fixtures/capture-io.ts';
import { runCli } from '../../src/cli/program.ts';
import { archiveComment, prettyJson } from '../../src/evidence/evidence-package-manifest.ts';
import type { PackageManifest } from '../../src/evidence/evidence-package-types.ts';
import { verifyPackage } from '../../src/evidence/evidence-package-verify.ts';
import { sha256Hex } from '../../src/platform/crypto.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const FROM = 'Vigil <vigil@test.example>';
const ATTACHMENT = Buffer.from('2026-04-07T08:55:01Z GET /orders key=sk_live_redacted\n');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file of a ZIP with its bytes and where its (compressed) data starts and ends in the archive. */
async function unzip(zip: Buffer): Promise<Map<string, { bytes: Buffer; start: number; end: number }>> {
  const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const files = new Map<string, { bytes: Buffer; start: number; end: number }>();
  for await (const entry of archive.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    const { fileDataStart } = await archive.readLocalFileHeaderPromise(entry, { minimal: true });
    files.set(entry.fileName, {
      bytes: Buffer.concat(chunks),
      start: fileDataStart,
      end: fileDataStart + entry.compressedSize,
    });
  }
  archive.close();
  return files;
}

/** A ZIP of `files` in the given order, with `comment`. */
async function rezip(files: [string, Buffer][], comment: string): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [path, bytes] of files) zip.addBuffer(bytes, path);
  zip.end({ comment, forceZip64Format: false });
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Evidence packages of a realistic incident: declared, triaged, communicated, reviewed, breached. */
describeEachDatabase('evidence packages', (dialect) => {
  let t: TestVigil;
  let sink: SmtpSink;
  let dir: string;
  let incident: Json;
  let first: { body: Buffer; headers: Json };
  let purgedId = '';

  const packageUrl = (id: string) => `/api/v1/incidents/${id}/evidence-package`;
  async function exportPackage(id: string) {
    const res = await t.api({ method: 'GET', url: packageUrl(id) });
    expect(res.statusCode, res.body).toBe(200);
    return { body: res.rawPayload, headers: res.headers as Json };
  }
  async function verifyBytes(bytes: Buffer, name = 'package.zip') {
    const file = join(dir, name);
    await writeFile(file, bytes);
    return verifyPackage(file);
  }
  const post = (url: string, payload?: Json) =>
    t.api({ method: 'POST', url, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-package-test-'));
    sink = await startSmtpSink();
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z', smtp: { url: sink.url, from: FROM } });
    const d = incidentDriver(t);
    const customer = (
      await post('/api/v1/customers', {
        name: 'Acme Ltd',
        contacts: [{ name: 'Sam Lee', email: 'sam@acme.example', role: 'security' }],
      })
    ).json() as Json;
    incident = await d.declare({
      title: 'Leaked <API> keys & tokens',
      severity: 'high',
      description: 'Orders API keys were exposed in a public log.',
      category: 'unauthorised_access',
    });
    t.clock.set('2026-04-07T09:05:00Z');
    await d.act(incident.id, 'acknowledge');
    await d.act(incident.id, 'triage', { decision: 'confirmed', reason: 'keys were used from abroad' });
    await d.act(incident.id, 'affected-customers', { customerIds: [customer.id], reason: 'their keys' });
    await d.act(incident.id, 'roles', { role: 'communications_lead', user: 'admin@localhost' });
    const comms = `/api/v1/incidents/${incident.id}/communications`;
    const draft = (
      await post(comms, {
        audience: 'customers',
        template: 'customer_update',
        whatWeAreDoing: 'We revoked the exposed keys.',
        whatYouShouldDo: 'Rotate your API keys today.',
      })
    ).json() as Json;
    expect((await post(`${comms}/${draft.id}/approve`)).statusCode).toBe(200);
    t.clock.set('2026-04-07T10:00:00Z');
    expect((await post(`${comms}/${draft.id}/send`)).statusCode).toBe(200);
    await t.vigil.engine.runCycle();
    expect(sink.messages.length).toBeGreaterThan(0);
    const breach = await t.api({
      method: 'PUT',
      url: `/api/v1/incidents/${incident.id}/breach`,
      payload: {
        role: 'controller',
        nature: ['confidentiality'],
        dataCategories: ['contact details'],
        peopleCategories: ['customers'],
        approxPeople: 40,
        approxRecords: 40,
        likelyConsequences: 'Phishing.',
        measuresTaken: 'Keys revoked.',
        measuresProposed: 'Tell the customers.',
        contactPoint: 'dpo@example.com',
        status: 'confirmed',
        awarenessAt: '2026-04-07T09:00:00Z',
      },
    });
    expect(breach.statusCode, breach.body).toBe(200);
    const review = await t.api({
      method: 'PUT',
      url: `/api/v1/incidents/${incident.id}/review`,
      payload: {
        summary: 'Keys leaked through a log.',
        rootCause: 'A deploy script printed secrets.',
        impact: 'Orders of 40 customers were readable.',
        lessons: 'Scan logs for secrets.',
        customerSummary: 'A mistake exposed some order data briefly.',
      },
    });
    expect(review.statusCode, review.body).toBe(200);
    const action = await post(`/api/v1/incidents/${incident.id}/actions`, {
      title: 'Add secret scanning to CI',
      kind: 'preventive',
      owner: 'admin@localhost',
      dueDate: '2026-05-01',
    });
    expect(action.statusCode, action.body).toBe(201);
    const attach = (filename: string, content: Buffer) =>
      t.api({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/evidence?filename=${filename}&description=exported%20log`,
        headers: { 'content-type': 'text/plain' },
        payload: content,
      });
    const kept = await attach('app.log', ATTACHMENT);
    expect(kept.statusCode, kept.body).toBe(201);
    // A download is a custody record: an access entry, kept out of the package's segment.
    const read = await t.api({
      method: 'GET',
      url: `/api/v1/incidents/${incident.id}/evidence/${kept.json().id}/content`,
    });
    expect(read.body).toBe(ATTACHMENT.toString());
    const gone = await attach('old.log', Buffer.from('purged content'));
    purgedId = gone.json().id;
    // As retention leaves an item once its content is removed.
    await t.vigil.database.kysely
      .updateTable('evidence_items')
      .set({ purged_at: '2026-04-07T10:30:00.000Z' })
      .where('id', '=', purgedId)
      .execute();
    t.clock.set('2026-04-07T11:00:00Z');
    first = await exportPackage(incident.reference);
  });
  afterAll(async () => {
    await t?.stop();
    await sink?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a ZIP named after the incident, with its SHA-256 as ETag, that verifies offline', async () => {
    expect(first.headers['content-type']).toBe('application/zip');
    expect(first.headers['content-disposition']).toBe(
      `attachment; filename="${incident.reference}-evidence.zip"`,
    );
    expect(first.headers.etag).toBe(`"${sha256(first.body)}"`);
    const verdict = await verifyBytes(first.body);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.summary).toMatchObject({ reference: incident.reference, incidentId: incident.id });

    const files = await unzip(first.body);
    const names = [...files.keys()];
    expect(names.slice(0, 2)).toEqual(['manifest.json', 'README.txt']);
    for (const path of [
      'incident/incident.json',
      'incident/timeline.json',
      'incident/decisions.json',
      'report/report.html',
      'report/report.pdf',
      'review/review.json',
      'review/actions.json',
      'breach/records.json',
      'breach/submissions.json',
      'audit/segment.json',
    ]) {
      expect(names).toContain(path);
    }
    const manifest = JSON.parse(files.get('manifest.json')!.bytes.toString()) as PackageManifest;
    expect(manifest).toMatchObject({
      incident: { id: incident.id, reference: incident.reference },
      policyVersion: t.vigil.policy.version,
    });
    expect(manifest.files.map((f) => f.path)).toEqual([...names.slice(1)].sort());
    expect(JSON.stringify(manifest)).not.toMatch(/admin@localhost|exported/);
    const segment = JSON.parse(files.get('audit/segment.json')!.bytes.toString()) as AuditRecord[];
    expect(manifest.lastChangeAt).toBe(segment[segment.length - 1]!.at);
    // Each entry is the live chain's entry at that seq: an auditor checks them one by one.
    for (const entry of segment) {
      const live = await t.api({
        method: 'GET',
        url: `/api/v1/audit/entries?after=${entry.seq - 1}&limit=1`,
      });
      expect((live.json() as Json).items).toEqual([entry]);
    }
    expect(segment.map((e) => e.action)).toEqual(
      expect.arrayContaining(['incident.declared', 'action.created', 'communication.delivered']),
    );
    const decisions = JSON.parse(files.get('incident/decisions.json')!.bytes.toString()) as Json[];
    expect(decisions.map((e) => e.kind)).toContain('triage');
    const html = files.get('report/report.html')!.bytes.toString();
    expect(html).toContain('Leaked &lt;API&gt; keys &amp; tokens');
    expect(html).not.toContain('<script');
    expect(html).toContain('Add secret scanning to CI');
    expect(files.get('report/report.pdf')!.bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('streams attachments in under their hash, and lists purged ones without their content', async () => {
    const files = await unzip(first.body);
    const path = `attachments/${sha256(ATTACHMENT)}-app.log`;
    expect(files.get(path)?.bytes.equals(ATTACHMENT)).toBe(true);
    expect([...files.keys()].filter((p) => p.startsWith('attachments/'))).toEqual(
      [path, 'attachments/items.json'].sort(),
    );
    const manifest = JSON.parse(files.get('manifest.json')!.bytes.toString()) as PackageManifest;
    expect(manifest.purged).toEqual([
      {
        itemId: purgedId,
        filename: 'old.log',
        sha256: sha256(Buffer.from('purged content')),
        sizeBytes: 14,
        purgedAt: '2026-04-07T10:30:00.000Z',
      },
    ]);
    const actions = (JSON.parse(files.get('audit/segment.json')!.bytes.toString()) as AuditRecord[]).map(
      (e) => e.action,
    );
    expect(actions).toContain('evidence.attached');
    expect(actions).not.toContain('evidence.read');
  });

  it('gives byte-identical packages for the same state, and records each export outside the package', async () => {
    t.clock.set('2026-04-08T12:00:00Z');
    const second = await exportPackage(incident.id);
    expect(second.body.equals(first.body)).toBe(true);
    const exports = await t.vigil.database.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'evidence.package_exported')
      .orderBy('seq')
      .execute();
    expect(exports.length).toBeGreaterThanOrEqual(2);
    for (const entry of exports.slice(0, 2)) {
      expect(entry).toMatchObject({
        subject_type: 'incident',
        subject_id: incident.id,
        actor: 'user:admin@localhost',
      });
      expect(JSON.parse(entry.detail)).toMatchObject({ packageSha256: sha256(first.body) });
    }
    const segment = (await unzip(second.body)).get('audit/segment.json')!.bytes.toString();
    expect(segment).not.toContain('evidence.package_exported');

    // Another process (a restart, a second node) builds the same bytes too.
    const other = await t.another();
    try {
      const built = await other.evidencePackages.build({ type: 'system', name: 'test' }, incident.id);
      expect(built.sha256).toBe(sha256(first.body));
      await built.discard();
    } finally {
      await other.close();
    }

    // A change afterwards moves lastChangeAt and gives another package, which verifies too.
    const decided = await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/timeline`,
      payload: { kind: 'decision', text: 'Keep the API offline overnight', rationale: 'logs still unread' },
    });
    expect(decided.statusCode, decided.body).toBe(201);
    const third = await exportPackage(incident.id);
    expect(third.body.equals(first.body)).toBe(false);
    expect((await verifyBytes(third.body, 'third.zip')).ok).toBe(true);
    const files = await unzip(third.body);
    const manifest = JSON.parse(files.get('manifest.json')!.bytes.toString()) as PackageManifest;
    expect(manifest.lastChangeAt).toBe('2026-04-08T12:00:00.000Z');
    expect(files.get('incident/decisions.json')!.bytes.toString()).toContain(
      'Keep the API offline overnight',
    );
  });

  it('holds each sent email as an .eml whose headers and body match what the SMTP server received', async () => {
    const files = await unzip(first.body);
    const emls = [...files.keys()].filter((p) => p.endsWith('.eml'));
    expect(emls.length).toBe(sink.messages.length);
    for (const path of emls) {
      const eml = await simpleParser(files.get(path)!.bytes);
      const received = sink.messages.find((m) => m.messageId === eml.messageId);
      expect(received, path).toBeDefined();
      expect(eml.subject).toBe(received!.subject);
      expect((eml.to as { text: string }).text).toBe((received!.to as { text: string }).text);
      expect((eml.from as { text: string }).text).toBe((received!.from as { text: string }).text);
      expect(eml.text).toBe(received!.text);
      expect(eml.html).toBe(received!.html);
    }
    expect(emls.some((p) => /^communications\/\d{3}-.+\.eml$/.test(p))).toBe(true);
  });

  it('names the file when any one byte of any file in the ZIP is flipped', async () => {
    const files = await unzip(first.body);
    expect(files.size).toBeGreaterThan(10);
    for (const [path, { start, end }] of files) {
      const tampered = Buffer.from(first.body);
      const at = start + Math.floor((end - start) / 2);
      tampered[at] = tampered[at]! ^ 0x01;
      const verdict = await verifyBytes(tampered, 'flipped.zip');
      expect(verdict.ok, path).toBe(false);
      expect(verdict.problems.join('\n'), path).toContain(`${path}:`);
    }
  });

  it('names the audit entry whose detail was changed, even in a consistently re-hashed package', async () => {
    const files = await unzip(first.body);
    const segment = JSON.parse(files.get('audit/segment.json')!.bytes.toString()) as AuditRecord[];
    const victim = segment[1]!;
    victim.detail = victim.detail.replace('}', ',"forged":true}');
    const segmentBytes = prettyJson(segment);
    const manifest = JSON.parse(files.get('manifest.json')!.bytes.toString()) as PackageManifest;
    const entry = manifest.files.find((f) => f.path === 'audit/segment.json')!;
    entry.sha256 = sha256Hex(segmentBytes);
    entry.size = segmentBytes.length;
    const manifestBytes = prettyJson(manifest);
    const rebuilt = [...files].map(([path, f]): [string, Buffer] => [
      path,
      path === 'manifest.json' ? manifestBytes : path === 'audit/segment.json' ? segmentBytes : f.bytes,
    ]);
    const verdict = await verifyBytes(await rezip(rebuilt, archiveComment(manifestBytes)), 'forged.zip');
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([expect.stringMatching(new RegExp(`^audit seq ${victim.seq}: detail`))]);

    // Re-hashing the forged entry too breaks the link to its neighbour, or its hash no longer matches the manifest.
    victim.digest = sha256Hex(victim.detail);
    victim.hash = computeEntryHash(victim);
    const rehashed = prettyJson(segment);
    entry.sha256 = sha256Hex(rehashed);
    entry.size = rehashed.length;
    const manifest2 = prettyJson(manifest);
    const again = [...files].map(([path, f]): [string, Buffer] => [
      path,
      path === 'manifest.json' ? manifest2 : path === 'audit/segment.json' ? rehashed : f.bytes,
    ]);
    const second = await verifyBytes(await rezip(again, archiveComment(manifest2)), 'rehashed.zip');
    const next = segment[2]!;
    if (next.seq === victim.seq + 1) {
      expect(second.problems.join('\n')).toContain(`audit seq ${next.seq}: prevHash`);
    } else {
      expect(second.ok).toBe(true); // Only the live chain can catch it: see docs/evidence.md.
    }
  });

  it('answers 404 for an unknown incident and 401 without a token', async () => {
    const unknown = await t.api({ method: 'GET', url: packageUrl('INC-999') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    const anonymous = await t.vigil.http.inject({ method: 'GET', url: packageUrl(incident.id) });
    expect(anonymous.statusCode).toBe(401);
  });

  it('downloads with `vigil export` and checks with `vigil verify-package`', async () => {
    await t.vigil.http.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.vigil.http.server.address() as AddressInfo;
    const file = join(dir, 'cli.zip');
    const run = async (...args: string[]) => {
      const { io, captured } = captureIo();
      await runCli(args, io);
      return captured;
    };
    const url = `http://127.0.0.1:${port}`;
    const exported = await run(
      'export',
      incident.reference,
      '-o',
      file,
      '--url',
      url,
      '--token',
      ADMIN_TOKEN,
    );
    expect(exported.err).toEqual([]);
    expect(exported.out[0]).toContain(`sha256 ${sha256(await readFile(file))}`);
    const missing = await run(
      'export',
      'INC-999',
      '-o',
      join(dir, 'none.zip'),
      '--url',
      url,
      '--token',
      ADMIN_TOKEN,
    );
    expect(missing.exitCode).toBe(1);
    expect(missing.err.join('\n')).toContain('404');

    const good = await run('verify-package', file);
    expect(good.exitCode ?? 0).toBe(0);
    expect(good.out[0]).toBe('OK');
    const bytes = await readFile(file);
    const { start, end } = (await unzip(bytes)).get('incident/timeline.json')!;
    const middle = Math.floor((start + end) / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    await writeFile(file, bytes);
    const bad = await run('verify-package', file);
    expect(bad.exitCode).toBe(1);
    expect(bad.err.join('\n')).toContain('incident/timeline.json');
  });
});
