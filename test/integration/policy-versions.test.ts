import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createVigil, type Vigil } from '../../src/app/vigil.ts';
import type { Principal } from '../../src/identity/identity-types.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { PolicyInvalidError } from '../../src/policy/policy-loader.ts';
import { describeEachDatabase, type ScratchDatabase, scratchDatabase } from '../support/test-databases.ts';

const defaultText = fs.readFileSync('policy/default.yaml', 'utf8');

describeEachDatabase('policy versions', (dialect) => {
  let scratch: ScratchDatabase;
  let dir: string;
  const opened: Vigil[] = [];

  beforeEach(() => {
    scratch = scratchDatabase(dialect);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-policy-'));
  });
  afterEach(async () => {
    for (const v of opened.splice(0)) await v.close();
    await scratch.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(policyPath?: string): Promise<Vigil> {
    const vigil = await createVigil({
      databaseUrl: scratch.url,
      policyPath,
      clock: new FakeClock('2026-04-07T09:30:00Z'),
      logger: pino({ level: 'silent' }),
      bodyLimit: 1024 * 1024,
      version: 'test',
    });
    opened.push(vigil);
    return vigil;
  }

  async function admin(vigil: Vigil): Promise<Principal> {
    await vigil.identity.bootstrapAdmin({
      email: 'admin@localhost',
      presetToken: 'vgl_policy-versions-test-token-00',
    });
    return vigil.identity.authenticate('vgl_policy-versions-test-token-00');
  }

  it('stores each version once and records on every incident the version it was opened under', async () => {
    const first = await start();
    const before = await first.incidents.declare(await admin(first), {
      title: 'under the default',
      severity: 'high',
      description: 'd',
    });
    await first.close();
    opened.pop();

    const again = await start();
    expect(again.policy.version).toBe(first.policy.version);
    await again.close();
    opened.pop();

    fs.cpSync('policy/runbooks', path.join(dir, 'runbooks'), { recursive: true });
    const custom = path.join(dir, 'policy.yaml');
    fs.writeFileSync(custom, defaultText.replace('name: Example Ltd', 'name: Changed Ltd'));
    const changed = await start(custom);
    expect(changed.policy.version).not.toBe(first.policy.version);
    const after = await changed.incidents.declare(await admin(changed), {
      title: 'under the changed policy',
      severity: 'high',
      description: 'd',
    });

    expect((await changed.incidents.get(before.id)).policyVersion).toBe(first.policy.version);
    expect(after.policyVersion).toBe(changed.policy.version);
    const stored = await changed.database.kysely
      .selectFrom('policy_versions')
      .select(['version', 'source', 'content'])
      .orderBy('first_loaded_at')
      .execute();
    expect(stored.map((r) => r.version).sort()).toEqual(
      [first.policy.version, changed.policy.version].sort(),
    );
    expect(stored.find((r) => r.version === changed.policy.version)?.content).toContain('Changed Ltd');
    const files = await changed.database.kysely
      .selectFrom('policy_versions')
      .select('files')
      .where('version', '=', changed.policy.version)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(files.files ?? '[]').map((f: { path: string }) => f.path)).toContain(
      'runbooks/unauthorised-access.md',
    );
    expect(await changed.audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a bad policy before touching the database', async () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, defaultText.replace('timeZone: Europe/London', 'timeZone: Mars/Olympus_Mons'));
    const error = await start(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyInvalidError);
    expect((error as PolicyInvalidError).issues.map((i) => i.path)).toContain('time.timeZone');
    if (dialect === 'sqlite') expect(fs.existsSync(scratch.url.slice('sqlite:'.length))).toBe(false);
  });
});
