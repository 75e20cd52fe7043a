/**
 * Single sign-on use cases: start a sign-in (remember its state, nonce and
 * PKCE verifier server-side, hand the browser only a random handle) and
 * complete it (use that state once, exchange the code, map the claims to a
 * user and role, provision or update the user, start a session). Every
 * refusal is audited and answered as a failure, never thrown.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import * as client from 'openid-client';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret, safeEqual, sha256Hex } from '../platform/crypto.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { IdentityDal } from './identity-dal.ts';
import type { Role, SecurityEvents } from './identity-types.ts';
import { emailOf, personFromClaims } from './oidc-claims.ts';
import type { OidcProviderClient } from './oidc-client.ts';
import type { OidcDal, OidcLoginState } from './oidc-dal.ts';
import { oidcFailure } from './oidc-failures.ts';
import type {
  OidcCallbackResult,
  OidcFailure,
  OidcFailureReason,
  OidcPerson,
  OidcSettings,
} from './oidc-types.ts';
import type { SessionService } from './session-service.ts';

/** How long a started sign-in may take at the provider. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

const OIDC_ACTOR: Actor = { type: 'system', name: 'oidc' };

export interface OidcCallbackInput {
  /** The callback's raw query string (`?code=...&state=...`), handed to openid-client as received. */
  query: string;
  state: string | undefined;
  error: string | undefined;
  /** The `vigil_oidc` cookie's value, if the browser sent it. */
  handle: string | undefined;
  clientIp: string;
  userAgent: string | undefined;
}

/** Who a failure is about, as far as the callback got. */
interface Suspect {
  userId?: string;
  email?: string;
}

export function createOidcService(deps: {
  db: Kysely<VigilDatabase>;
  dal: OidcDal;
  users: Pick<IdentityDal, 'insertUserIfNew'>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  settings: Pick<OidcSettings, 'allowedTenants' | 'roleMap' | 'defaultRole'>;
  provider: OidcProviderClient;
  sessions: Pick<SessionService, 'startSession'>;
  securityEvents?: SecurityEvents | undefined;
}) {
  const { db, dal, audit, clock, provider } = deps;

  async function fail(
    input: Pick<OidcCallbackInput, 'clientIp'>,
    reason: OidcFailureReason,
    detail: string | undefined,
    who: Suspect = {},
    message?: string,
  ): Promise<OidcFailure> {
    const at = clock.now();
    const subjectId = who.userId ?? (who.email ? `unknown:${sha256Hex(who.email)}` : 'unknown');
    await db.transaction().execute((trx) =>
      audit.append(trx, {
        actor: OIDC_ACTOR,
        action: 'auth.sign_in_failed',
        subject: { type: 'user', id: subjectId },
        detail: {
          method: 'oidc',
          reason,
          ...(who.email ? { email: who.email } : {}),
          // Provider and library messages name the failed check; they carry no token or secret.
          ...(detail ? { cause: detail.slice(0, 300) } : {}),
        },
        at,
      }),
    );
    await deps.securityEvents?.record({
      kind: 'sign_in_failed',
      principal: who.email ?? '',
      clientIp: input.clientIp,
      at,
      detail: { method: 'oidc', reason },
    });
    return oidcFailure(reason, message);
  }

  /** Uses the sign-in's stored state once; the callback must present the handle the browser was given. */
  async function claimLoginState(input: OidcCallbackInput): Promise<OidcLoginState | OidcFailure> {
    if (!input.handle) return fail(input, 'missing_state_cookie', undefined);
    const now = clock.now();
    const found = await db.transaction().execute(async (trx) => {
      const login = await dal.findLoginState(trx, sha256Hex(input.handle!));
      if (!login) return 'unknown_state' as const;
      if (login.consumedAt) return 'state_replayed' as const;
      if (now.getTime() >= login.expiresAt.getTime()) return 'state_expired' as const;
      return (await dal.consumeLoginState(trx, login.id, now)) ? login : ('state_replayed' as const);
    });
    if (typeof found === 'string') return fail(input, found, undefined);
    if (input.state === undefined || !safeEqual(input.state, found.state)) {
      return fail(input, 'state_mismatch', undefined);
    }
    return found;
  }

  async function changeRole(
    trx: Transaction<VigilDatabase>,
    user: { id: string; email: string; role: Role },
    to: Role,
  ) {
    await dal.setUserRole(trx, user.id, to);
    await audit.append(trx, {
      actor: OIDC_ACTOR,
      action: 'auth.role_changed',
      subject: { type: 'user', id: user.id },
      detail: { method: 'oidc', email: user.email, from: user.role, to },
      at: clock.now(),
    });
  }

  type Linked =
    | { ok: true; userId: string; email: string; roleChangedFrom: Role | null }
    | { ok: false; reason: OidcFailureReason; userId?: string };

  async function provision(trx: Transaction<VigilDatabase>, person: OidcPerson, now: Date) {
    const user = {
      id: randomUUID(),
      email: person.email,
      displayName: person.displayName,
      role: person.role,
    };
    // False only when a concurrent sign-in took the address first: that identity owns it now.
    if (!(await deps.users.insertUserIfNew(trx, { ...user, createdAt: now }))) return null;
    await audit.append(trx, {
      actor: OIDC_ACTOR,
      action: 'auth.oidc_user_provisioned',
      subject: { type: 'user', id: user.id },
      detail: {
        email: user.email,
        name: user.displayName,
        role: user.role,
        issuer: person.issuer,
        tenant: person.tenant,
      },
      at: now,
    });
    return { id: user.id, email: user.email, role: user.role, disabled: false };
  }

  /** Finds, links or provisions the person's user and brings its role in line with the claims. */
  async function linkUser(trx: Transaction<VigilDatabase>, person: OidcPerson): Promise<Linked> {
    const now = clock.now();
    const linked = await dal.findLinkedUser(trx, person.issuer, person.subject);
    let user = linked ?? (await dal.findUserByEmail(trx, person.email));
    // An address already bound to another identity of this issuer is not taken over.
    if (user && !linked && (await dal.hasIdentityAt(trx, user.id, person.issuer))) {
      return { ok: false, reason: 'identity_conflict', userId: user.id };
    }
    if (user?.disabled) return { ok: false, reason: 'user_disabled', userId: user.id };
    user ??= await provision(trx, person, now);
    if (!user) return { ok: false, reason: 'identity_conflict' };
    if (linked) {
      await dal.touchIdentity(trx, person.issuer, person.subject, now);
    } else {
      const { issuer, subject, tenant } = person;
      await dal.insertIdentity(trx, { id: randomUUID(), issuer, subject, tenant, userId: user.id, at: now });
    }
    const roleChangedFrom = user.role === person.role ? null : user.role;
    if (roleChangedFrom !== null) await changeRole(trx, user, person.role);
    return { ok: true, userId: user.id, email: user.email, roleChangedFrom };
  }

  async function signIn(
    input: OidcCallbackInput,
    login: OidcLoginState,
    person: OidcPerson,
  ): Promise<OidcCallbackResult> {
    const linked = await db.transaction().execute((trx) => linkUser(trx, person));
    if (!linked.ok) {
      const who = linked.userId ? { userId: linked.userId, email: person.email } : { email: person.email };
      return fail(input, linked.reason, undefined, who);
    }
    // The session service audits `auth.signed_in` (method oidc, session id) and reports it as a security event.
    const session = await deps.sessions.startSession({
      userId: linked.userId,
      method: 'oidc',
      clientIp: input.clientIp,
      userAgent: input.userAgent,
    });
    if (linked.roleChangedFrom !== null) {
      await deps.securityEvents?.record({
        kind: 'role_changed',
        principal: linked.email,
        clientIp: input.clientIp,
        at: clock.now(),
        detail: { from: linked.roleChangedFrom, to: person.role },
      });
    }
    return {
      ok: true,
      userId: linked.userId,
      sessionCookieValue: session.cookieValue,
      returnTo: login.returnTo,
    };
  }

  return {
    /**
     * Starts a sign-in: stores its state, nonce and PKCE verifier for 10
     * minutes under the hash of a random handle, and returns the provider's
     * authorization URL and the handle for the `vigil_oidc` cookie. Throws
     * when the provider cannot be reached (nothing is stored then).
     * `returnTo` must already be a checked same-origin path.
     */
    async startLogin(returnTo: string): Promise<{ redirectTo: URL; handle: string; maxAgeSeconds: number }> {
      const state = client.randomState();
      const nonce = client.randomNonce();
      const codeVerifier = client.randomPKCECodeVerifier();
      const redirectTo = await provider.authorizationUrl({
        state,
        nonce,
        codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
      });
      const handle = randomSecret(32);
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + LOGIN_STATE_TTL_MS);
      await db.transaction().execute(async (trx) => {
        // Sign-ins abandoned at the provider are swept here rather than by an engine module.
        await dal.deleteExpiredLoginStates(trx, now);
        await dal.insertLoginState(trx, {
          id: randomUUID(),
          handleHash: sha256Hex(handle),
          state,
          nonce,
          codeVerifier,
          returnTo,
          createdAt: now,
          expiresAt,
        });
      });
      return { redirectTo, handle, maxAgeSeconds: LOGIN_STATE_TTL_MS / 1000 };
    },

    /** Completes a sign-in from the provider's callback; every refusal is audited and returned. */
    async completeLogin(input: OidcCallbackInput): Promise<OidcCallbackResult> {
      const login = await claimLoginState(input);
      if ('ok' in login) return login;
      if (input.error !== undefined) return fail(input, 'provider_error', input.error);
      const exchanged = await provider.exchange(input.query, login);
      if (!exchanged.ok) return fail(input, exchanged.reason, exchanged.detail);
      const mapped = personFromClaims(exchanged.claims, deps.settings);
      if (!mapped.ok) {
        const email = emailOf(exchanged.claims);
        return fail(input, mapped.reason, undefined, email ? { email } : {}, mapped.message);
      }
      return signIn(input, login, mapped.person);
    },
  };
}

export type OidcService = ReturnType<typeof createOidcService>;
