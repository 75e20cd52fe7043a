import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createVigil } from '../../src/app/vigil.ts';
import { systemClock } from '../../src/platform/clock.ts';
import {
  apiClient,
  failedLogins,
  genericEvent,
  type Json,
  ndjson,
  sendSignals,
} from '../support/live-traffic.ts';
import { type ScratchDatabase, scratchSqlite } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil } from '../support/test-vigil.ts';
import { runVigil, type ServeProcess, startServe } from '../support/vigil-process.ts';

const exec = promisify(execFile);
const running: ServeProcess[] = [];
const scratches: ScratchDatabase[] = [];

afterEach(async () => {
  for (const server of running.splice(0)) {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }
  for (const s of scratches.splice(0)) await s.drop();
});

async function serve(databaseUrl: string, token: string): Promise<ServeProcess> {
  const server = await startServe(['--database', databaseUrl], { VIGIL_ADMIN_TOKEN: token });
  running.push(server);
  return server;
}

/** `vigil backup`: a SQLite copy taken under load, restored into a second server. */
describe('vigil backup (SQLite)', () => {
  it('copies a running server under write load into a database a new server opens, chain intact', async () => {
    const scratch = scratchSqlite();
    scratches.push(scratch);
    const token = 'vgl_backup-test-admin-token-0123456';
    const live = await serve(scratch.url, token);
    const api = apiClient(live.url, token);
    const sender = await api.ingestToken('backup test sender');

    // Before the backup: a brute-force incident from detection, and one declared by a person.
    const before = await sendSignals(
      live.url,
      sender,
      'sql-audit',
      ndjson(failedLogins('eve', '203.0.113.7', 12, new Date())),
      'application/x-ndjson',
    );
    expect(before.status, JSON.stringify(before.json)).toBe(202);
    expect(before.json.incidents.filter((i: Json) => i.opened)).toHaveLength(1);
    const declared = await api.call('POST', '/api/v1/incidents', {
      title: 'Declared before the backup',
      severity: 'medium',
      description: 'by hand',
    });
    expect(declared.status).toBe(201);

    // The backup runs while a sender keeps writing.
    let writing = true;
    let sentDuring = 0;
    const load = (async () => {
      for (let i = 0; writing; i += 1) {
        const res = await sendSignals(
          live.url,
          sender,
          'generic',
          JSON.stringify(genericEvent(`during-${i}`, new Date())),
          'application/json',
        );
        expect(res.status).toBe(202);
        sentDuring += 1;
      }
    })();
    const file = path.join(path.dirname(scratch.url.slice('sqlite:'.length)), 'backup', 'vigil-copy.db');
    const backup = await runVigil(['backup', file, '--database', scratch.url]);
    writing = false;
    await load;
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ file, pages: expect.any(Number) });
    expect(sentDuring).toBeGreaterThan(0);
    // One self-contained file: no WAL beside it to lose.
    expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);

    // The live server is untouched by the backup and still answers.
    expect((await api.call('GET', '/api/v1/audit/verify')).json).toMatchObject({ ok: true });

    // A second server on the copy: everything acknowledged before the backup is there, the chain verifies.
    const restored = await serve(`sqlite:${file}`, 'vgl_ignored-because-admin-exists-00');
    const copy = apiClient(restored.url, token);
    const verify = await copy.call('GET', '/api/v1/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.json).toMatchObject({ ok: true, firstBrokenEntry: null });
    const incidents = await copy.all('/api/v1/incidents');
    expect(incidents.map((i) => i.title)).toEqual(
      expect.arrayContaining([expect.stringContaining('eve'), 'Declared before the backup']),
    );
    const signals = await copy.all('/api/v1/signals');
    const ids = new Set(signals.map((s) => s.id));
    for (const id of before.json.signalIds as string[]) expect(ids.has(id)).toBe(true);
    // The copy also works: it takes new signals.
    const after = await sendSignals(
      restored.url,
      sender,
      'generic',
      JSON.stringify(genericEvent('after-restore', new Date())),
      'application/json',
    );
    expect(after.status).toBe(202);

    const cli = await runVigil(['audit', 'verify', '--database', `sqlite:${file}`]);
    expect(cli.code, cli.stderr).toBe(0);
  }, 120_000);

  it('refuses an existing file and a PostgreSQL URL, pointing to pg_dump', async () => {
    const scratch = scratchSqlite();
    scratches.push(scratch);
    const file = scratch.url.slice('sqlite:'.length);
    expect((await runVigil(['migrate', '--database', scratch.url])).code).toBe(0);
    const exists = await runVigil(['backup', file, '--database', scratch.url]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain('already exists');
    const onPostgres = await runVigil(['backup', `${file}.copy`, '--database', 'postgres://u@127.0.0.1:1/x']);
    expect(onPostgres.code).toBe(1);
    expect(onPostgres.stderr).toContain('pg_dump');
    expect(fs.existsSync(`${file}.copy`)).toBe(false);
  }, 60_000);
});

const postgresBase = process.env.VIGIL_TEST_DATABASE_URL;

/** PostgreSQL is backed up with its own tools: pg_dump of Vigil's schema, pg_restore into a new database. */
describe.skipIf(!postgresBase)(
  `PostgreSQL backup with pg_dump and pg_restore${postgresBase ? '' : ' (skipped: VIGIL_TEST_DATABASE_URL is not set)'}`,
  () => {
    it('restores a dump into a fresh database whose audit chain verifies', async () => {
      const t = await startTestVigil('postgres');
      const restoredDb = `vigil_restore_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: postgresBase });
      await admin.connect();
      try {
        for (const title of ['First', 'Second'])
          expect(
            (
              await t.api({
                method: 'POST',
                url: '/api/v1/incidents',
                payload: { title, severity: 'low', description: 'x' },
              })
            ).statusCode,
          ).toBe(201);
        const schema = new URL(t.scratch.url).searchParams.get('schema')!;
        const source = new URL(postgresBase!);
        source.search = '';
        const dumpFile = path.join(t.evidenceDir, 'vigil.dump');
        await exec('pg_dump', [
          '--format=custom',
          `--schema=${schema}`,
          `--file=${dumpFile}`,
          source.toString(),
        ]);
        await admin.query(`create database ${restoredDb}`);
        const target = new URL(source);
        target.pathname = `/${restoredDb}`;
        await exec('pg_restore', ['--no-owner', `--dbname=${target.toString()}`, dumpFile]);
        target.searchParams.set('schema', schema);
        const verify = await runVigil(['audit', 'verify', '--database', target.toString()]);
        expect(verify.code, verify.stderr).toBe(0);
        expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
        const copy = await startTestVigilOn(target.toString());
        const titles = (await copy.list()).map((i) => i.title);
        await copy.close();
        expect(titles).toEqual(expect.arrayContaining(['First', 'Second']));
      } finally {
        await t.stop();
        await admin.query(`drop database if exists ${restoredDb} with (force)`);
        await admin.end();
      }
    }, 60_000);
  },
);

/** Opens Vigil in-process on an existing database (the restored copy) and lists its incidents as the admin. */
async function startTestVigilOn(databaseUrl: string) {
  const vigil = await createVigil({
    databaseUrl,
    policyPath: undefined,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    version: 'test',
    selfWatching: false,
  });
  return {
    async list(): Promise<Json[]> {
      const res = await vigil.http.inject({
        method: 'GET',
        url: '/api/v1/incidents',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      return (res.json() as Json).items as Json[];
    },
    close: () => vigil.close(),
  };
}
