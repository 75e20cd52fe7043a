/**
 * Plays the browser in single sign-on tests: starts a sign-in at Vigil
 * (inject), follows the provider's redirects over real HTTP with its own
 * cookie jar, and stops where the provider sends the browser back to Vigil's
 * callback, which the test then calls (inject) with the `vigil_oidc` cookie.
 * Vigil need not listen on a port for that.
 */
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { expect } from 'vitest';
import { VIGIL_VERSION } from '../../src/app/version.ts';
import { createVigil, type Vigil } from '../../src/app/vigil.ts';
import type { OidcSettings } from '../../src/identity/oidc-types.ts';
import type { FakeClock } from '../../src/platform/clock.ts';
import type { TestProvider } from './oidc-provider.ts';
import { scratchDatabase, type TestDialect } from './test-databases.ts';
import { ADMIN_TOKEN } from './test-vigil.ts';

export interface StartedSignIn {
  /** The provider's redirect back to Vigil, with `code` and `state`. */
  callbackUrl: string;
  /** `vigil_oidc=<handle>`, as the browser would send it. */
  stateCookie: string;
}

/** The Set-Cookie header for cookie `name` in a response, if any. */
export function cookieFrom(res: LightMyRequestResponse, name: string): string | undefined {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  return all.find((c) => c.startsWith(`${name}=`));
}

/** Follows redirects from `url` until one leads to `stopAt`, carrying the provider's cookies. */
async function followProvider(url: string, stopAt: string): Promise<string> {
  const jar = new Map<string, string>();
  for (let hop = 0; hop < 10 && !url.startsWith(stopAt); hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location)
      throw new Error(`the provider answered ${res.status} without a redirect: ${await res.text()}`);
    url = new URL(location, url).href;
  }
  return url;
}

export function ssoBrowser(vigil: () => Vigil, provider: () => TestProvider, redirectUri: string) {
  return {
    /** Starts a sign-in at Vigil and lets the provider sign `account` in; returns where it sends the browser back. */
    async startSignIn(account: string, returnTo?: string): Promise<StartedSignIn> {
      provider().signInAs(account);
      const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
      const start = await vigil().http.inject({ method: 'GET', url: `/auth/oidc/login${query}` });
      expect(start.statusCode).toBe(302);
      const stateCookie = cookieFrom(start, 'vigil_oidc');
      expect(stateCookie).toMatch(/HttpOnly/);
      expect(stateCookie).toMatch(/SameSite=Lax/);
      expect(stateCookie).toMatch(/Max-Age=600/);
      const authorize = new URL(String(start.headers.location));
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('nonce')).toBeTruthy();
      const callbackUrl = await followProvider(authorize.href, redirectUri);
      expect(callbackUrl.startsWith(redirectUri)).toBe(true);
      return { callbackUrl, stateCookie: stateCookie!.split(';')[0]! };
    },

    /** The browser's return to Vigil's callback, with `cookie` ('' for none). */
    callback(started: StartedSignIn, cookie: string = started.stateCookie) {
      const { pathname, search } = new URL(started.callbackUrl);
      return vigil().http.inject({
        method: 'GET',
        url: `${pathname}${search}`,
        headers: cookie ? { cookie, 'user-agent': 'vitest' } : { 'user-agent': 'vitest' },
      });
    },
  };
}

/** A Vigil with single sign-on on a fresh database, the admin bootstrapped as in startTestVigil. */
export async function startSsoVigil(
  dialect: TestDialect,
  clock: FakeClock,
  oidc: OidcSettings,
): Promise<{ vigil: Vigil; stop(): Promise<void> }> {
  const scratch = scratchDatabase(dialect);
  const vigil = await createVigil({
    databaseUrl: scratch.url,
    policyPath: undefined,
    clock,
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    version: VIGIL_VERSION,
    oidc,
  });
  await vigil.identity.bootstrapAdmin({ email: 'admin@localhost', presetToken: ADMIN_TOKEN });
  return {
    vigil,
    async stop() {
      await vigil.close();
      await scratch.drop();
    },
  };
}
