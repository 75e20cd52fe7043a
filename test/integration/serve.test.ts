import fs from 'node:fs';
import net from 'node:net';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScratchDatabase, scratchPostgres, scratchSqlite } from '../support/test-databases.ts';
import { runVigil, type ServeProcess, startServe } from '../support/vigil-process.ts';

const running: ServeProcess[] = [];
const scratches: ScratchDatabase[] = [];

function scratch(): ScratchDatabase {
  const s = scratchSqlite();
  scratches.push(s);
  return s;
}

async function serve(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const server = await startServe(args, env);
  running.push(server);
  return server;
}

async function stop(server: ServeProcess): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

afterEach(async () => {
  for (const server of running.splice(0)) if (server.child.exitCode === null) await stop(server);
  for (const s of scratches.splice(0)) await s.drop();
});

describe('vigil serve', () => {
  it('creates the admin on first start only, and prints a token that works', async () => {
    const db = scratch();
    const first = await serve(['--database', db.url]);
    const token = /Admin API token \(shown once, store it now\): (vgl_\S+)/.exec(first.output())?.[1];
    expect(token).toBeDefined();
    expect(first.output()).toContain('Created the admin user admin@localhost');

    const health = await fetch(`${first.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status).toBe(200);
    const list = await fetch(`${first.url}/api/v1/incidents`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(200);
    expect(await stop(first)).toBe(0);

    const second = await serve(['--database', db.url], {
      VIGIL_ADMIN_TOKEN: 'vgl_ignored-because-admin-exists-00',
    });
    expect(second.output()).not.toContain('Admin API token');
    expect(second.output()).not.toContain('Created the admin user');
    const again = await fetch(`${second.url}/api/v1/incidents`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(again.status).toBe(200);
    const ignored = await fetch(`${second.url}/api/v1/incidents`, {
      headers: { authorization: 'Bearer vgl_ignored-because-admin-exists-00' },
    });
    expect(ignored.status).toBe(401);
  });

  it('takes the admin email and token from the environment at first start, and never prints the token', async () => {
    const db = scratch();
    const token = 'vgl_automation-token-abcdefghijklmnop';
    const server = await serve(['--database', db.url], {
      VIGIL_ADMIN_TOKEN: token,
      VIGIL_ADMIN_EMAIL: 'ops@example.com',
    });
    expect(server.output()).toContain('Created the admin user ops@example.com');
    expect(server.output()).not.toContain(token);

    const env = { VIGIL_URL: server.url, VIGIL_TOKEN: token };
    const declared = await runVigil(
      [
        'incident',
        'declare',
        '--title',
        'Disk full',
        '--severity',
        'low',
        '--description',
        'Logs filled the disk',
        '--json',
      ],
      env,
    );
    expect(declared.stderr).toBe('');
    expect(declared.code).toBe(0);
    const incident = JSON.parse(declared.stdout);
    expect(incident).toMatchObject({
      title: 'Disk full',
      severity: 'low',
      declaredBy: { email: 'ops@example.com' },
    });

    const list = await runVigil(['incident', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${incident.reference}  low`);
    const show = await runVigil(
      ['incident', 'show', incident.reference, '--url', server.url, '--token', token],
      {},
    );
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Logs filled the disk');

    const refused = await runVigil(
      ['incident', 'declare', '--title', 'x', '--severity', 'nope', '--description', 'y'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('body.severity');
    const noToken = await runVigil(['incident', 'list', '--url', server.url], {});
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('401');
  });

  it('finishes an in-flight request on SIGTERM, then exits 0 with the database closed cleanly', async () => {
    const db = scratch();
    const token = 'vgl_graceful-shutdown-token-0123456';
    const server = await serve(['--database', db.url], { VIGIL_ADMIN_TOKEN: token });
    const { port } = new URL(server.url);
    const body = JSON.stringify({
      title: 'In flight',
      severity: 'medium',
      description: 'sent during shutdown',
    });
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.write(
      `POST /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n` +
        body.slice(0, 10),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.end(body.slice(10));
    expect(await server.exited).toBe(0);
    expect(answer).toMatch(/^HTTP\/1\.1 201/);

    const verify = await runVigil(['audit', 'verify', '--database', db.url]);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, firstBrokenEntry: null });
  });

  it('refuses to start on a bad policy, listing every error', async () => {
    const db = scratch();
    const policyFile = `${db.url.slice('sqlite:'.length)}.policy.yaml`;
    const good = fs.readFileSync('policy/default.yaml', 'utf8');
    fs.writeFileSync(policyFile, good.replace(/within: 15 minutes/, 'within: fifteen minutes'));
    const run = await runVigil(['serve', '--port', '0', '--database', db.url, '--policy', policyFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('slas.critical.acknowledge.within');
    expect(run.stdout).not.toContain('listening');
    expect(fs.existsSync(db.url.slice('sqlite:'.length))).toBe(false);
  });
});

describe('vigil audit verify and vigil migrate', () => {
  it('migrates, verifies, and names a row edited by hand with exit code 1', async () => {
    const db = scratch();
    const migrated = await runVigil(['migrate', '--database', db.url]);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain('applied 0001-foundation');
    expect((await runVigil(['migrate'], { VIGIL_DATABASE_URL: db.url })).stdout).toContain('up to date');

    const server = await serve(['--database', db.url], {
      VIGIL_ADMIN_TOKEN: 'vgl_audit-cli-token-0123456789ab',
    });
    await stop(server);
    const ok = await runVigil(['audit', 'verify'], { VIGIL_DATABASE_URL: db.url });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, firstBrokenEntry: null });

    const file = db.url.slice('sqlite:'.length);
    const raw = new Database(file);
    raw.prepare("update audit_log set action = 'user.deleted' where seq = 2").run();
    raw.close();
    const broken = await runVigil(['audit', 'verify', '--database', db.url]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, firstBrokenEntry: 2 });
  });
});

const postgresUrl = process.env.VIGIL_TEST_DATABASE_URL;

describe.skipIf(!postgresUrl)(
  `vigil on PostgreSQL${postgresUrl ? '' : ' (skipped: VIGIL_TEST_DATABASE_URL is not set)'}`,
  () => {
    it('runs two servers on one database: one first-start admin, one intact audit chain', async () => {
      const db = scratchPostgres();
      scratches.push(db);
      const token = 'vgl_two-servers-one-database-0123';
      const [a, b] = await Promise.all([
        serve(['--database', db.url], { VIGIL_ADMIN_TOKEN: token }),
        serve(['--database', db.url], { VIGIL_ADMIN_TOKEN: token }),
      ]);
      const created = [a, b].filter((s) => s.output().includes('Created the admin user'));
      expect(created).toHaveLength(1);

      const declare = (server: ServeProcess, title: string) =>
        fetch(`${server.url}/api/v1/incidents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title, severity: 'medium', description: 'two writers' }),
        });
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => declare(i % 2 === 0 ? a : b, `incident ${i}`)),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(201));
      await Promise.all([stop(a), stop(b)]);

      const verify = await runVigil(['audit', 'verify', '--database', db.url]);
      expect(verify.code).toBe(0);
      const result = JSON.parse(verify.stdout);
      // admin and token, policy version, three policy people, the detection system user, and ten incidents.
      expect(result).toMatchObject({ ok: true, entries: 17, firstBrokenEntry: null });

      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        const schema = new URL(db.url).searchParams.get('schema');
        await client.query(`update "${schema}".audit_log set actor = 'user:mallory' where seq = 7`);
      } finally {
        await client.end();
      }
      const broken = await runVigil(['audit', 'verify'], { VIGIL_DATABASE_URL: db.url });
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, firstBrokenEntry: 7 });
    });
  },
);
