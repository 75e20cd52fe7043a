/**
 * The one table that says what every API route needs. Keys are the method
 * and the route as Fastify registers it (`GET /api/v1/incidents/:id`); a
 * HEAD needs what its GET needs. The server refuses to start with an
 * `/api/` route missing here, and test/integration/permissions.test.ts
 * checks every route of the OpenAPI document against every role.
 *
 * The CLI's commands are in {@link CLI_PERMISSIONS}: most call these
 * routes and need what the routes need; a few work offline or straight on
 * the database.
 */
import type { Permission } from './permissions.ts';

export interface RouteRule {
  permission: Permission;
  /**
   * The route acts on the incident named by `:id`: a caller whose role
   * reaches only assigned incidents must hold a role in that one.
   */
  onIncident?: true;
  /** Authenticated by an ingest credential at the route itself, not by the API hook. */
  ingest?: true;
}

const rule = (permission: Permission): RouteRule => ({ permission });
const onIncident = (permission: Permission): RouteRule => ({ permission, onIncident: true });

export const ROUTE_PERMISSIONS: Readonly<Record<string, RouteRule>> = {
  // Audit, users, tokens, own account
  'GET /api/v1/audit/verify': rule('audit:read'),
  'GET /api/v1/audit/entries': rule('audit:read'),
  'GET /api/v1/users': rule('users:read'),
  'POST /api/v1/users': rule('users:write'),
  'PATCH /api/v1/users/:id': rule('users:write'),
  'PUT /api/v1/users/:id/password': rule('users:write'),
  'GET /api/v1/me': rule('self:read'),
  'PUT /api/v1/me/password': rule('self'),
  'POST /api/v1/me/totp': rule('self'),
  'POST /api/v1/me/totp/confirm': rule('self'),
  'DELETE /api/v1/me/totp': rule('self'),
  'GET /api/v1/tokens': rule('tokens:own'),
  'POST /api/v1/tokens': rule('tokens:own'),
  'DELETE /api/v1/tokens/:id': rule('tokens:own'),
  'GET /api/v1/ingest-tokens': rule('tokens:read'),
  'POST /api/v1/ingest-tokens': rule('tokens:admin'),
  'DELETE /api/v1/ingest-tokens/:id': rule('tokens:admin'),

  // Incidents
  'GET /api/v1/incidents': rule('incidents:read'),
  'POST /api/v1/incidents': rule('incidents:declare'),
  'GET /api/v1/incidents/:id': rule('incidents:read'),
  'GET /api/v1/incidents/:id/timeline': rule('incidents:read'),
  'GET /api/v1/events': rule('incidents:read'),
  'POST /api/v1/incidents/:id/timeline': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/acknowledge': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/triage': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/phase': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/checklist': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/classification': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/severity': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/customer-updates': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/affected-customers': onIncident('incidents:respond'),
  'DELETE /api/v1/incidents/:id/affected-customers': onIncident('incidents:respond'),
  'POST /api/v1/incidents/:id/roles': rule('incidents:command'),
  'DELETE /api/v1/incidents/:id/roles': rule('incidents:command'),
  'POST /api/v1/incidents/:id/handover': rule('incidents:command'),

  // Evidence, retention
  'GET /api/v1/incidents/:id/evidence': rule('evidence:read'),
  'POST /api/v1/incidents/:id/evidence': onIncident('evidence:write'),
  'GET /api/v1/incidents/:id/evidence/:eid': rule('evidence:read'),
  'GET /api/v1/incidents/:id/evidence/:eid/content': rule('evidence:read'),
  'GET /api/v1/incidents/:id/evidence-package': rule('evidence:read'),
  'GET /api/v1/incidents/:id/evidence-windows': rule('evidence:read'),
  'POST /api/v1/incidents/:id/evidence-windows': rule('incidents:command'),
  'GET /api/v1/incidents/:id/legal-hold': rule('retention:read'),
  'POST /api/v1/incidents/:id/legal-hold': rule('legal-hold:write'),
  'DELETE /api/v1/incidents/:id/legal-hold': rule('legal-hold:write'),
  'GET /api/v1/retention/preview': rule('retention:read'),
  'POST /api/v1/retention/run': rule('retention:run'),
  'GET /api/v1/evidence-requests': rule('evidence-requests:read'),
  'GET /api/v1/evidence-requests/:id': rule('evidence-requests:read'),
  'PATCH /api/v1/evidence-requests/:id': rule('evidence-requests:write'),
  'POST /api/v1/evidence-requests/:id/shares': rule('evidence-requests:write'),
  'DELETE /api/v1/evidence-requests/:id/shares/:sid': rule('evidence-requests:write'),

  // Breaches
  'GET /api/v1/breaches': rule('breaches:read'),
  'GET /api/v1/incidents/:id/breach': rule('breaches:read'),
  'PUT /api/v1/incidents/:id/breach': rule('breaches:write'),
  'POST /api/v1/incidents/:id/breach/assessment': rule('breaches:write'),
  'POST /api/v1/incidents/:id/breach/submissions': rule('breaches:write'),
  'POST /api/v1/incidents/:id/breach/submissions/:sid/approve': rule('breaches:write'),
  'POST /api/v1/incidents/:id/breach/submissions/:sid/submit': rule('breaches:write'),

  // Communications and customers
  'GET /api/v1/incidents/:id/communications': rule('communications:read'),
  'POST /api/v1/incidents/:id/communications': rule('communications:write'),
  'GET /api/v1/incidents/:id/communications/:cid': rule('communications:read'),
  'PUT /api/v1/incidents/:id/communications/:cid': rule('communications:write'),
  'POST /api/v1/incidents/:id/communications/:cid/preview': rule('communications:write'),
  'POST /api/v1/incidents/:id/communications/:cid/approve': rule('communications:write'),
  'POST /api/v1/incidents/:id/communications/:cid/send': rule('communications:write'),
  'GET /api/v1/templates': rule('communications:read'),
  'GET /api/v1/customers': rule('customers:read'),
  'POST /api/v1/customers': rule('customers:write'),
  'GET /api/v1/customers/:id': rule('customers:read'),
  'GET /api/v1/outbox': rule('outbox:read'),

  // Reviews, actions, exercises, compliance, reports
  'GET /api/v1/incidents/:id/review': rule('reviews:read'),
  'PUT /api/v1/incidents/:id/review': onIncident('reviews:write'),
  'POST /api/v1/incidents/:id/review/submit': onIncident('reviews:write'),
  'POST /api/v1/incidents/:id/review/approve': onIncident('reviews:write'),
  'GET /api/v1/incidents/:id/review/export': rule('reviews:read'),
  'POST /api/v1/incidents/:id/actions': onIncident('reviews:write'),
  'GET /api/v1/actions': rule('reviews:read'),
  'PATCH /api/v1/actions/:aid': rule('reviews:write'),
  'GET /api/v1/exercises': rule('exercises:read'),
  'POST /api/v1/exercises': rule('exercises:write'),
  'GET /api/v1/exercises/:xid': rule('exercises:read'),
  'POST /api/v1/exercises/:xid/complete': rule('exercises:write'),
  'POST /api/v1/exercises/:xid/actions': rule('exercises:write'),
  'POST /api/v1/exercises/:xid/run': rule('exercises:write'),
  'GET /api/v1/compliance/status': rule('compliance:read'),
  'GET /api/v1/policy': rule('policy:read'),
  'GET /api/v1/policy/versions': rule('policy:read'),
  'POST /api/v1/demo': rule('demo:load'),
  'GET /api/v1/reports/sla': rule('reports:read'),
  'GET /api/v1/reports/detection': rule('reports:read'),
  'GET /api/v1/reports/actions': rule('reports:read'),
  'GET /api/v1/reports/exercises': rule('reports:read'),
  'GET /api/v1/reports/iso27001': rule('reports:read'),

  // Signals and detection
  'GET /api/v1/signals': rule('signals:read'),
  'GET /api/v1/signals/:id': rule('signals:read'),
  'POST /api/v1/signals/:source': { permission: 'signals:ingest', ingest: true },
  'POST /v2/enqueue': { permission: 'signals:ingest', ingest: true },
  'POST /api/v1/detection/replay': rule('detection:replay'),

  // Operations: outside /api, so the route checks its bearer token itself (src/metrics/metrics-routes.ts)
  'GET /metrics': rule('metrics:read'),
};

/**
 * What each `vigil` command needs. `offline`: reads files only (no data);
 * `database`: opens the database itself (whoever can read its files or its
 * URL already has everything; run on the server host). Every other command
 * calls the API with a token and needs the permission named, exactly as the
 * routes it calls do. test/integration/permissions.test.ts checks every
 * command of the CLI is listed.
 */
export const CLI_PERMISSIONS: Readonly<Record<string, Permission | 'offline' | 'database'>> = {
  serve: 'database',
  migrate: 'database',
  'audit verify': 'database',
  backup: 'database',
  'policy check': 'offline',
  'policy render': 'offline',
  'sla due': 'offline',
  'rules test': 'offline',
  'verify-package': 'offline',
  'incident declare': 'incidents:declare',
  'incident list': 'incidents:read',
  'incident show': 'incidents:read',
  'incident timeline': 'incidents:read',
  'incident ack': 'incidents:respond',
  'incident triage': 'incidents:respond',
  'incident phase': 'incidents:respond',
  'incident check': 'incidents:respond',
  'incident classify': 'incidents:respond',
  'incident customer-update': 'incidents:respond',
  'incident severity': 'incidents:respond',
  'incident note': 'incidents:respond',
  'incident affect': 'incidents:respond',
  'incident assign': 'incidents:command',
  'incident unassign': 'incidents:command',
  'incident handover': 'incidents:command',
  'user add': 'users:write',
  'user password': 'users:write',
  'user list': 'users:read',
  'token create': 'tokens:own',
  'token list': 'tokens:own',
  'token revoke': 'tokens:own',
  'customer add': 'customers:write',
  'customer list': 'customers:read',
  'comms draft': 'communications:write',
  'comms list': 'communications:read',
  'comms preview': 'communications:write',
  'comms approve': 'communications:write',
  'comms send': 'communications:write',
  ingest: 'signals:ingest',
  detect: 'detection:replay',
  'breach set': 'breaches:write',
  'breach show': 'breaches:read',
  'breach assess': 'breaches:write',
  'breach report': 'breaches:write',
  'breach approve': 'breaches:write',
  'breach submit': 'breaches:write',
  'breach register': 'breaches:read',
  'review show': 'reviews:read',
  'review write': 'reviews:write',
  'review submit': 'reviews:write',
  'review approve': 'reviews:write',
  'review export': 'reviews:read',
  'action add': 'reviews:write',
  'action list': 'reviews:read',
  'action update': 'reviews:write',
  'exercise plan': 'exercises:write',
  'exercise list': 'exercises:read',
  'exercise complete': 'exercises:write',
  'exercise run': 'exercises:write',
  status: 'compliance:read',
  'evidence add': 'evidence:write',
  'evidence list': 'evidence:read',
  'evidence get': 'evidence:read',
  'retention preview': 'retention:read',
  'retention run': 'retention:run',
  export: 'evidence:read',
  'report sla': 'reports:read',
  'report detection': 'reports:read',
  'report actions': 'reports:read',
  'report exercises': 'reports:read',
  'report iso27001': 'reports:read',
};

/** The table's key for a request: HEAD is checked as the GET it mirrors. */
export function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}
