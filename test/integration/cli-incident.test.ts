import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.ts';
import { buildProgram, reportCliError } from '../../src/cli/program.ts';
import { type ScratchDatabase, scratchSqlite } from '../support/test-databases.ts';
import { type CliRun, runVigil, type ServeProcess, startServe } from '../support/vigil-process.ts';

const TOKEN = 'vgl_cli-incident-walk-token-012345';

/**
 * One incident run from the terminal against a real server. Each `runVigil`
 * costs a tsx start-up (~2 s), so the walk's main steps go through the real
 * binary and the supporting ones run the same commands in this process.
 * The steps share one incident and run in order.
 */
describe('vigil incident: one incident from declaration to eradication', () => {
  let db: ScratchDatabase;
  let server: ServeProcess;
  let ref = '';

  beforeAll(async () => {
    db = scratchSqlite();
    server = await startServe(['--database', db.url], { VIGIL_ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      // A request still in flight would hold the graceful stop; a second signal stops at once.
      const again = setTimeout(() => server.child.kill('SIGTERM'), 5_000);
      await server.exited;
      clearTimeout(again);
    }
    await db?.drop();
  });

  /** `vigil ARGS` through the package's bin, pointed at the test server by the environment. */
  const vigil = (...args: string[]) => runVigil(args, { VIGIL_URL: server.url, VIGIL_TOKEN: TOKEN });

  /** The same commands in this process (no start-up cost), with `--url` and `--token` given as flags. */
  const inProcess = (...args: string[]) => inProcessWithToken(TOKEN, ...args);

  function ok(run: CliRun): string {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  }

  it('adds the people involved with `vigil user`, and refuses a duplicate', async () => {
    expect(
      ok(
        await inProcess(
          'user',
          'add',
          '--email',
          'Rita@Example.com',
          '--name',
          'Rita Ops',
          '--role',
          'incident_manager',
        ),
      ),
    ).toMatch(/^added rita@example\.com\s+incident_manager\s+Rita Ops$/);
    ok(await inProcess('user', 'add', '--email', 'sam@example.com', '--name', 'Sam Engineer'));
    const list = ok(await inProcess('user', 'list'));
    expect(list).toMatch(/sam@example\.com\s+responder\s+Sam Engineer/);
    expect(list).toContain('admin@localhost');
    const duplicate = await inProcess('user', 'add', '--email', 'RITA@example.com', '--name', 'Again');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('409');
    expect(duplicate.stderr).toContain('rita@example.com');

    const declared = await fetch(`${server.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Card data exposed',
        severity: 'high',
        description: 'A bucket was public',
      }),
    });
    expect(declared.status).toBe(201);
    ref = ((await declared.json()) as { reference: string }).reference;
  });

  it('acknowledges, triages as confirmed and moves to contain', async () => {
    expect(ok(await vigil('incident', 'ack', ref))).toMatch(new RegExp(`^${ref} acknowledged at \\d{4}-`));
    expect(
      ok(
        await vigil(
          'incident',
          'triage',
          ref,
          '--decision',
          'confirmed',
          '--reason',
          'Bucket listing seen in logs',
        ),
      ),
    ).toContain(`${ref} triaged confirmed: Bucket listing seen in logs`);
    expect(ok(await vigil('incident', 'phase', ref, 'contain'))).toContain(
      `${ref} is now in contain (0/4 of the contain checklist done)`,
    );
  }, 60_000);

  it('ticks a checklist item, and moves on past the open ones only with --override and a reason', async () => {
    expect(ok(await vigil('incident', 'check', ref, 'access-restricted'))).toContain(
      `${ref} access-restricted done (1/4 of the contain checklist done)`,
    );
    const refused = await inProcess('incident', 'phase', ref, 'eradicate');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^(400|409) /);
    const moved = ok(
      await vigil(
        'incident',
        'phase',
        ref,
        'eradicate',
        '--override',
        '--reason',
        'Bucket deleted; rest moot',
      ),
    );
    expect(moved).toContain(`${ref} is now in eradicate (0/1 of the eradicate checklist done)`);
  }, 60_000);

  it('raises the severity, hands over, assigns and records a decision', async () => {
    expect(
      ok(await vigil('incident', 'severity', ref, 'critical', '--reason', 'Card numbers included')),
    ).toContain(`${ref} severity is now critical (highest critical)`);
    expect(
      ok(await vigil('incident', 'handover', ref, '--to', 'rita@example.com', '--reason', 'Shift change')),
    ).toContain(`${ref} is now owned by Rita Ops <rita@example.com>`);
    expect(
      ok(await inProcess('incident', 'assign', ref, '--role', 'responder', '--user', 'sam@example.com')),
    ).toMatch(/responders sam@example\.com/);
    const unassigned = JSON.parse(
      ok(await inProcess('incident', 'unassign', ref, '--user', 'sam@example.com', '--json')),
    );
    expect(unassigned.roles.responders).toEqual([]);
    ok(await inProcess('incident', 'assign', ref, '--role', 'responder', '--user', 'sam@example.com'));

    ok(await inProcess('incident', 'note', ref, 'Legal informed'));
    expect(ok(await inProcess('incident', 'customer-update', ref, '--summary', 'We are on it'))).toMatch(
      new RegExp(`${ref} next customer update due \\d{4}-`),
    );
    const classified = JSON.parse(
      ok(
        await inProcess(
          ...['incident', 'classify', ref, '--category', 'data_exposure_risk'],
          ...['--component', 'database:high/none/low', '--json'],
        ),
      ),
    );
    expect(classified.components).toEqual([
      { component: 'database', confidentiality: 'high', integrity: 'none', availability: 'low' },
    ]);
    const decision = JSON.parse(
      ok(
        await vigil(
          ...['incident', 'note', ref, 'Notify the regulator today', '--decision', '--json'],
          ...['--rationale', 'Card data left the company', '--alternative', 'Wait for forensics'],
          ...['--alternative', 'Notify customers first'],
        ),
      ),
    );
    expect(decision).toMatchObject({
      kind: 'decision',
      seq: expect.any(Number),
      summary: expect.any(String),
    });
  }, 60_000);

  it('shows the incident, reads the timeline, and prints the allowed phases for an illegal move', async () => {
    const [show, timeline, illegal] = await Promise.all([
      vigil('incident', 'show', ref),
      vigil('incident', 'timeline', ref, '--kind', 'note,decision'),
      vigil('incident', 'phase', ref, 'closed'),
    ]);

    const shown = ok(show);
    expect(shown).toMatch(/severity:\s+critical/);
    expect(shown).toMatch(/phase:\s+eradicate/);
    expect(shown).toMatch(/owner:\s+Rita Ops <rita@example\.com>/);
    expect(shown).toMatch(/responders:\s+Sam Engineer <sam@example\.com>/);
    expect(shown).toMatch(/acknowledge:\s+met\s+due \S+Z, met \S+Z/);
    for (const clock of ['triage', 'containment', 'customerUpdate']) expect(shown).toContain(`${clock}:`);
    expect(shown).toContain('checklist (eradicate):');
    expect(shown).toContain('[ ] root-cause-removed  The root cause has been removed (mandatory)');
    expect(shown).not.toContain('access-restricted');

    const lines = ok(timeline).trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^#\d+\s+\S+Z\s+(note|decision)\s/);
    expect(lines.some((l) => l.includes('Legal informed'))).toBe(true);
    expect(lines.some((l) => l.includes('Notify the regulator today'))).toBe(true);

    expect(illegal.code).toBe(1);
    expect(illegal.stdout).toBe('');
    expect(illegal.stderr).toContain('409');
    expect(illegal.stderr).toContain('allowed: identify, contain, recover');
  }, 60_000);

  it('filters the incident list', async () => {
    const hit = ok(
      await inProcess(
        ...['incident', 'list', '--phase', 'eradicate', '--severity', 'critical'],
        ...['--owner', 'rita@example.com', '--opened-from', '2000-01-01T00:00:00Z'],
      ),
    );
    expect(hit).toContain(`${ref}  critical eradicate`);
    expect(ok(await inProcess('incident', 'list', '--phase', 'identify'))).toBe('no incidents');
    const json = JSON.parse(
      ok(await inProcess('incident', 'list', '--opened-to', '2000-01-01T00:00:00Z', '--json')),
    );
    expect(json).toEqual({ items: [], nextCursor: null });
    ok(await inProcess('incident', 'list', '--breached', '--out-of-hours'));
  });

  it('drafts, previews and sends an internal message with `vigil comms`; approving one that needs no approval is refused', async () => {
    const drafted = ok(
      await vigil(
        ...['comms', 'draft', ref, '--audience', 'internal', '--subject', 'Status of {{reference}}'],
        ...['--body', 'We are in {{phase}}.', '--to', 'sam@example.com', '--json'],
      ),
    );
    const draft = JSON.parse(drafted) as { id: string; status: string };
    expect(draft.status).toBe('draft');
    expect(ok(await inProcess('comms', 'list', ref))).toMatch(
      new RegExp(`^${draft.id}\\s+internal\\s+free-form\\s+draft`),
    );
    const preview = ok(await inProcess('comms', 'preview', ref, draft.id));
    expect(preview).toContain(`Subject: Status of ${ref}`);
    expect(preview).toContain('To: sam@example.com');
    expect(preview).toContain('We are in Eradicate.');
    expect(ok(await inProcess('comms', 'send', ref, draft.id))).toMatch(
      /internal\s+free-form\s+queued\s+\(no approval needed\)/,
    );

    const unknown = await inProcess(
      'comms',
      'draft',
      ref,
      '--audience',
      'internal',
      '--subject',
      'x',
      '--body',
      '{{nope}}',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('body.body');

    const approve = await inProcess('comms', 'approve', ref, draft.id);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain('409');
  }, 60_000);

  it('sends a file of signals with `vigil ingest` and backfills detection with `vigil detect`', async () => {
    const created = await fetch(`${server.url}/api/v1/ingest-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli test', source: 'sql-audit' }),
    });
    const ingestToken = ((await created.json()) as { token: string }).token;
    const file = fileURLToPath(
      new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
    );
    const sent = await runVigil(['ingest', 'sql-audit', file], {
      VIGIL_URL: server.url,
      VIGIL_TOKEN: ingestToken,
    });
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^35 received, 35 stored, 0 already stored\n {2}opened INC-\d+/);
    const again = ok(await inProcessWithToken(ingestToken, 'ingest', 'sql-audit', file));
    expect(again).toBe('35 received, 0 stored, 35 already stored');
    const replayed = ok(await inProcess('detect', '--since', '2024-05-14T00:00:00Z'));
    // The 35 audit records, and the `vigil` signal of the ingest token's creation (self-watching).
    expect(replayed.split('\n')[0]).toBe('36 signals replayed');
    expect(replayed).not.toContain('opened');
  }, 60_000);

  it('records and assesses a breach with `vigil breach`, and prints the register as CSV', async () => {
    const set = ok(
      await vigil(
        ...['breach', 'set', ref, '--status', 'confirmed', '--aware', '2026-01-01T00:00:00Z'],
        ...[
          '--nature',
          'confidentiality',
          '--data',
          'card numbers',
          '--approx-people',
          '40',
          '--contact',
          'dpo@example.com',
        ],
      ),
    );
    expect(set).toMatch(new RegExp(`^${ref} breach v1: confirmed, controller`));
    expect(set).toMatch(/uk-gdpr\/regulator +breached/);
    const assessed = ok(
      await inProcess(
        'breach',
        'assess',
        ref,
        '--high-risk',
        '--rationale',
        'Card numbers in clear',
        '--consulted',
        'legal',
      ),
    );
    expect(assessed).toContain('assessed: high risk: Card numbers in clear');
    const csv = ok(await inProcess('breach', 'register')).split('\n');
    expect(csv[0]).toMatch(/^reference,title,status,role,/);
    expect(csv.some((line) => line.startsWith(`${ref},`) && line.includes('card numbers'))).toBe(true);
    const json = JSON.parse(ok(await inProcess('breach', 'register', '--format', 'json'))) as {
      reference: string;
    }[];
    expect(json.map((b) => b.reference)).toContain(ref);
  }, 60_000);

  it('tracks an action and shows the review with `vigil action` and `vigil review`', async () => {
    const added = ok(
      await vigil(
        'action',
        'add',
        ref,
        '--title',
        'Rotate card keys',
        '--kind',
        'corrective',
        '--owner',
        'rita@example.com',
        '--due',
        '2099-01-31',
      ),
    );
    expect(added.trimEnd()).toMatch(
      /^[0-9a-f-]{36} {2}2099-01-31 {2}open +corrective +rita@example\.com {2}Rotate card keys$/,
    );
    const id = added.split(' ')[0]!;
    expect(ok(await inProcess('action', 'list', '--owner', 'rita@example.com'))).toContain(id);
    expect(ok(await inProcess('action', 'list', '--overdue'))).toBe('no actions');
    expect(ok(await inProcess('action', 'update', id, '--status', 'in_progress'))).toContain('in_progress');
    const shown = ok(await inProcess('review', 'show', ref));
    expect(shown.split('\n')[0]).toBe(`${ref} review: not written; required before closing`);
    expect(shown).toContain('Rotate card keys');
  }, 60_000);

  it('plans and completes an exercise, and prints the compliance status with `vigil status`', async () => {
    const scenario = fileURLToPath(new URL('../../docs/examples/exercise-brute-force.md', import.meta.url));
    const planned = ok(
      await inProcess(
        'exercise',
        'plan',
        '--title',
        'Brute force drill',
        '--scenario',
        scenario,
        '--on',
        '2099-01-15',
        '--facilitator',
        'rita@example.com',
      ),
    );
    expect(planned).toMatch(/^[0-9a-f-]{36} {2}2099-01-15 {2}planned +Brute force drill$/);
    const id = planned.split(' ')[0]!;
    const signals = fileURLToPath(
      new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
    );
    const atOnce = ok(await inProcess('exercise', 'run', id, '--source', 'sql-audit', '--signals', signals));
    expect(atOnce).toMatch(/^INC-\d+ opened for the exercise: 35 signals replayed, \d+ rule firings$/);
    const paced = ok(
      await inProcess(
        'exercise',
        'run',
        id,
        '--source',
        'sql-audit',
        '--signals',
        signals,
        '--real-time',
        '--speedup',
        '60',
      ),
    );
    expect(paced).toMatch(/^INC-\d+ opened for the exercise: 35 signals queued, released from \S+Z to \S+Z$/);
    expect(ok(await inProcess('exercise', 'complete', id, '--findings', 'The DPO was not called'))).toContain(
      'completed',
    );
    expect(ok(await inProcess('exercise', 'list')).split('\n')[0]).toMatch(/^next due \S+ \(on track\)$/);
    const status = ok(await vigil('status'));
    expect(status.split('\n')[0]).toBe('Needs attention:');
    expect(status).toMatch(/incidents with breached response clocks: \d+/);
    expect(status).toMatch(/next tabletop exercise due \S+ \(on track; last \d{4}-\d\d-\d\d\)/);
  }, 60_000);

  it('creates, lists and revokes an API token with `vigil token`', async () => {
    const created = ok(await inProcess('token', 'create', '--name', 'ci reader', '--scope', 'read'));
    const [line, secretLine] = created.split('\n');
    expect(line).toMatch(/^[0-9a-f-]{36} {2}ci reader +read +admin@localhost {2}no expiry, never used$/);
    const secret = /^secret \(shown once, store it now\): (vgl_\S+)$/.exec(secretLine!)![1]!;
    const id = line!.split(' ')[0]!;
    // The new token reads, and cannot write.
    expect(ok(await inProcessWithToken(secret, 'incident', 'list'))).not.toContain('error');
    const refused = await inProcessWithToken(
      secret,
      'user',
      'add',
      '--email',
      'z@example.com',
      '--name',
      'Z',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('403');
    expect(ok(await inProcess('token', 'list'))).toContain(id);
    expect(ok(await inProcess('token', 'revoke', id))).toMatch(/revoked \S+Z, used \S+Z$/);
    expect((await inProcessWithToken(secret, 'incident', 'list')).code).toBe(1);
  }, 60_000);

  /** A command in this process, as `token` (an API or ingest token), against the test server. */
  async function inProcessWithToken(token: string, ...args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    let code = 0;
    const io: CliIo = {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      setExitCode: (c) => {
        code = c;
      },
    };
    try {
      await buildProgram(io).parseAsync([...args, '--url', server.url, '--token', token], { from: 'user' });
    } catch (error) {
      reportCliError(error, io);
    }
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }
});
