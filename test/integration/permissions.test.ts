import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { ROLES, type Role } from '../../src/identity/identity-types.ts';
import { CLI_PERMISSIONS, ROUTE_PERMISSIONS, routeKey } from '../../src/identity/permission-table.ts';
import { grantFor } from '../../src/identity/permissions.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const HUMAN_ROLES = ROLES.filter((r) => r !== 'admin');

/** Every `/api/` operation of the OpenAPI document, as `METHOD /api/v1/x/:id` (the table's keys). */
function documentedRoutes(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => routeKey(m.toUpperCase(), path.replace(/\{(\w+)\}/g, ':$1'))),
  );
}

/**
 * Access control as a table: every route of the OpenAPI document against
 * every role, checked against the one permission table by real requests.
 */
describeEachDatabase('permissions', (dialect) => {
  let t: TestVigil;
  const tokens = new Map<Role, string>();
  let unassigned: Json;
  let assigned: Json;

  beforeAll(async () => {
    t = await startTestVigil(dialect, { now: '2026-04-07T10:00:00Z' });
    for (const role of HUMAN_ROLES) {
      const email = `${role.replace('_', '.')}@example.com`;
      const user = await t.api({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email, name: role, role },
      });
      expect(user.statusCode, user.body).toBe(201);
      const created = await t.api({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: `${role} token`, scopes: ['admin'], owner: email },
      });
      expect(created.statusCode, created.body).toBe(201);
      tokens.set(role, (created.json() as Json).secret);
    }
    const d = incidentDriver(t);
    unassigned = await d.declare({ title: 'Not theirs', severity: 'low', description: 'x' });
    assigned = await d.declare({ title: 'Theirs', severity: 'low', description: 'x' });
    await d.act(assigned.id, 'roles', { role: 'responder', user: 'responder@example.com' });
  });
  afterAll(async () => t.stop());

  const as = (role: Role, method: string, url: string, payload?: Json) =>
    t.vigil.http.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${tokens.get(role)}` },
      ...(payload ? { payload } : {}),
    });

  it('declares a permission for every route in the OpenAPI document, and no stale ones', async () => {
    const doc = (await t.vigil.http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const routes = documentedRoutes(doc).filter((r) => r.split(' ')[1]!.startsWith('/api/'));
    expect(routes.length).toBeGreaterThan(90);
    expect(routes.filter((r) => !ROUTE_PERMISSIONS[r])).toEqual([]);
    const stale = Object.keys(ROUTE_PERMISSIONS).filter(
      (key) => key.split(' ')[1]!.startsWith('/api/') && !routes.includes(key),
    );
    expect(stale).toEqual([]);
    // The document shows each route's permission.
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const op of Object.values(ops))
        expect(op.description, path).toMatch(/Requires permission `[a-z:-]+`/);
    }
  });

  it('lists every command of the CLI with what it needs', () => {
    const program = buildProgram({
      out: () => undefined,
      err: () => undefined,
      setExitCode: () => undefined,
    });
    const leaves = (command: Command, path: string[]): string[] =>
      command.commands.length === 0
        ? [path.join(' ')]
        : command.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
    const commands = leaves(program, []);
    expect(commands.length).toBeGreaterThan(60);
    expect(commands.filter((c) => !(c in CLI_PERMISSIONS))).toEqual([]);
    expect(Object.keys(CLI_PERMISSIONS).filter((c) => !commands.includes(c))).toEqual([]);
  });

  it('allows or refuses every route for every role exactly as the table says', async () => {
    const doc = (await t.vigil.http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const mismatches: string[] = [];
    const outcomes = new Map<Role, { allowed: string[]; refused: string[] }>(
      HUMAN_ROLES.map((r) => [r, { allowed: [], refused: [] }]),
    );
    for (const key of documentedRoutes(doc)) {
      const rule = ROUTE_PERMISSIONS[key];
      if (!rule || rule.ingest) continue;
      const [method, route] = key.split(' ') as [string, string];
      const url = route
        .replace(':id', route.startsWith('/api/v1/incidents/') ? unassigned.id : randomUUID())
        .replace(/:(\w+)/g, () => randomUUID());
      const body = method === 'GET' ? undefined : {};
      for (const role of HUMAN_ROLES) {
        const reach = grantFor(role, ['admin'], rule.permission);
        const allowed = reach === 'any' || (reach === 'assigned' && !rule.onIncident);
        const res = await as(role, method, url, body);
        const refused = res.statusCode === 403 && (res.json() as Json).detail?.includes('may not do this');
        const refusedAsUnassigned =
          res.statusCode === 403 && (res.json() as Json).detail?.includes('hold a role');
        if (allowed && (refused || refusedAsUnassigned || res.statusCode === 401)) {
          mismatches.push(`${role} refused ${key} (${res.statusCode}): ${res.body.slice(0, 120)}`);
        }
        if (!allowed && !(refused || refusedAsUnassigned)) {
          mismatches.push(`${role} not refused ${key} (${res.statusCode})`);
        }
        outcomes.get(role)![refused || refusedAsUnassigned ? 'refused' : 'allowed'].push(key);
      }
    }
    expect(mismatches).toEqual([]);
    // What the roles promise, independently of the table: an auditor reads everything and changes
    // nothing but their own password, second factor and tokens; a viewer changes nothing and sees no evidence or breach details; an ingest user
    // only submits signals; a responder may not run retention or manage users.
    const of = (role: Role) => outcomes.get(role)!;
    expect(of('auditor').allowed.filter((k) => !k.startsWith('GET ') && !/tokens|\/me\//.test(k))).toEqual(
      [],
    );
    expect(of('auditor').refused.filter((k) => k.startsWith('GET '))).toEqual([]);
    expect(of('viewer').allowed.filter((k) => !k.startsWith('GET ') && !/tokens|\/me\//.test(k))).toEqual([]);
    expect(of('viewer').allowed.filter((k) => /evidence|breach|audit/.test(k))).toEqual([]);
    expect(of('ingest').allowed).toEqual([]);
    for (const key of ['POST /api/v1/retention/run', 'POST /api/v1/users', 'POST /api/v1/ingest-tokens']) {
      expect(of('responder').refused).toContain(key);
      expect(of('incident_manager').refused).toContain(key);
    }
    expect(of('incident_manager').allowed).toContain(
      'POST /api/v1/incidents/:id/breach/submissions/:sid/approve',
    );
  }, 120_000);

  it('lets a responder change an incident they hold a role in, and only that one', async () => {
    const note = { kind: 'note', text: 'Checked the firewall logs.' };
    const mine = await as('responder', 'POST', `/api/v1/incidents/${assigned.id}/timeline`, note);
    expect(mine.statusCode, mine.body).toBe(201);
    const byReference = await as(
      'responder',
      'POST',
      `/api/v1/incidents/${assigned.reference}/timeline`,
      note,
    );
    expect(byReference.statusCode).toBe(201);
    const other = await as('responder', 'POST', `/api/v1/incidents/${unassigned.id}/timeline`, note);
    expect(other.statusCode).toBe(403);
    expect((await as('responder', 'GET', `/api/v1/incidents/${unassigned.id}/timeline`)).statusCode).toBe(
      200,
    );
    // An unknown incident is a 404 whoever asks, never a hint by 403.
    expect((await as('responder', 'POST', '/api/v1/incidents/INC-999/timeline', note)).statusCode).toBe(404);
  });

  it('shows a viewer the incident without its breach details', async () => {
    await t.api({
      method: 'PUT',
      url: `/api/v1/incidents/${assigned.id}/breach`,
      payload: {
        role: 'controller',
        status: 'suspected',
        nature: ['confidentiality'],
        dataCategories: ['contact details'],
        peopleCategories: ['customers'],
        approxPeople: 10,
        approxRecords: 10,
        likelyConsequences: 'Phishing.',
        measuresTaken: 'Access revoked.',
        measuresProposed: 'Tell them.',
        contactPoint: 'dpo@example.com',
        awarenessAt: '2026-04-07T09:00:00Z',
      },
    });
    const full = (await as('auditor', 'GET', `/api/v1/incidents/${assigned.id}`)).json() as Json;
    expect(full.breach).not.toBeNull();
    const seen = await as('viewer', 'GET', `/api/v1/incidents/${assigned.id}`);
    expect(seen.statusCode).toBe(200);
    expect((seen.json() as Json).breach).toBeNull();
    const timeline = (await as('viewer', 'GET', `/api/v1/incidents/${assigned.id}/timeline`)).json() as Json;
    expect(timeline.items.map((e: Json) => e.kind)).not.toContain('breach');
    expect((await as('viewer', 'GET', `/api/v1/incidents/${assigned.id}/breach`)).statusCode).toBe(403);
    expect((await as('viewer', 'GET', `/api/v1/incidents/${assigned.id}/evidence`)).statusCode).toBe(403);
  });
});
