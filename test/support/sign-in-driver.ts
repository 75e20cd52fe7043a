import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestVigil } from './test-vigil.ts';

export const PASSWORD = 'orchard lantern ferry 7';
export const EMAIL = 'ana.lopez@example.com';

/** The `vigil_session=...` pair of a response's Set-Cookie, to send back as a Cookie header. */
export function cookieOf(response: LightMyRequestResponse): string {
  const header = String(response.headers['set-cookie'] ?? '');
  const pair = header.split(';')[0]!;
  expect(pair).toMatch(/^vigil_session=[A-Za-z0-9_-]{43}$/);
  return pair;
}

export interface BrowserSession {
  cookie: string;
  csrf?: string;
}

/** Sign-in steps over a test Vigil's HTTP stack, as a browser would take them. */
export function signInDriver(t: () => TestVigil) {
  const login = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t().vigil.http.inject({ method: 'POST', url: '/auth/login', payload: body, headers });

  return {
    login,

    /** A responder with a password, set by the admin over the API; returns their id. */
    async user(email = EMAIL, password = PASSWORD): Promise<string> {
      const created = await t().api({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email, name: 'Ana López' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id as string;
      const set = await t().api({
        method: 'PUT',
        url: `/api/v1/users/${id}/password`,
        payload: { password },
      });
      expect(set.statusCode, set.body).toBe(204);
      return id;
    },

    /** Signs in (expecting success) and returns the cookie and CSRF token. */
    async signIn(email = EMAIL, password = PASSWORD) {
      const answer = await login({ email, password });
      expect(answer.statusCode, answer.body).toBe(200);
      return { cookie: cookieOf(answer), csrf: answer.json().csrfToken as string, answer };
    },

    /** A request carrying the session cookie, and the CSRF token when given. */
    asSession(
      s: BrowserSession,
      request: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: object },
    ) {
      return t().vigil.http.inject({
        ...request,
        headers: { cookie: s.cookie, ...(s.csrf ? { 'x-csrf-token': s.csrf } : {}) },
      });
    },

    /** The audit entries of one action, oldest first, with their detail parsed. */
    async auditEntries(action: string) {
      const rows = await t()
        .vigil.database.kysely.selectFrom('audit_log')
        .select(['subject_id', 'detail'])
        .where('action', '=', action)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        subjectId: r.subject_id,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },
  };
}
