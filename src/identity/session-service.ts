import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret, safeEqual, sha256Hex } from '../platform/crypto.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { NotFound } from '../platform/errors.ts';
import { SESSION_COOKIE, setCookie } from './cookies.ts';
import type { Principal, SecurityEvents, User } from './identity-types.ts';
import { actorOf } from './principal-actor.ts';
import type { SessionDal, SessionMethod, StoredSession } from './session-dal.ts';

export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;
export const DEFAULT_SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** `last_seen_at` is written at most this often, so a busy console costs no write per request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionSettings {
  /** A session unused this long ends (milliseconds). */
  idleMs: number;
  /** A session ends this long after sign-in however busy it is (milliseconds). */
  absoluteMs: number;
}

export interface StartedSession {
  sessionId: string;
  /** The cookie's value: shown to the browser once, stored only as its SHA-256. */
  cookieValue: string;
  csrfToken: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

/** A live session as `GET /auth/session` describes it. */
export interface CurrentSession {
  principal: Principal;
  csrfToken: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

/**
 * The CSRF token of a session: an HMAC of the cookie value. It is derived
 * rather than stored, so the page can fetch it again (`GET /auth/session`)
 * while the database holds neither it nor the cookie; knowing the token does
 * not reveal the cookie, and without the cookie it cannot be computed.
 */
export function csrfTokenFor(cookieValue: string): string {
  return createHmac('sha256', cookieValue).update('vigil csrf token v1').digest('base64url');
}

/** Whether `presented` (the `x-csrf-token` header) is the session's CSRF token; constant time. */
export function csrfTokenMatches(cookieValue: string, presented: string | undefined): boolean {
  return presented !== undefined && safeEqual(csrfTokenFor(cookieValue), presented);
}

type Ending = 'idle_timeout' | 'absolute_timeout' | null;

function endingAt(session: StoredSession, now: Date, settings: SessionSettings): Ending {
  if (now.getTime() >= session.absoluteExpiresAt.getTime()) return 'absolute_timeout';
  if (now.getTime() - session.lastSeenAt.getTime() >= settings.idleMs) return 'idle_timeout';
  return null;
}

/**
 * Browser sessions: started after a password or SSO sign-in, carried by the
 * `vigil_session` cookie, ended by sign-out, by sign-out everywhere, or by
 * the idle and absolute timeouts.
 */
export function createSessionService(deps: {
  db: Kysely<VigilDatabase>;
  dal: SessionDal;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  settings: SessionSettings;
  securityEvents?: SecurityEvents | undefined;
}) {
  const { db, dal, audit, clock, settings, securityEvents } = deps;

  function idleExpiry(lastSeenAt: Date, absolute: Date): Date {
    return new Date(Math.min(lastSeenAt.getTime() + settings.idleMs, absolute.getTime()));
  }

  /** The open, unexpired session behind a cookie; an expired one is ended on the way. */
  async function resolve(
    cookieValue: string,
    now: Date,
  ): Promise<{ session: StoredSession; user: User } | null> {
    if (cookieValue === '') return null;
    const found = await dal.findOpen(db, sha256Hex(cookieValue));
    if (!found) return null;
    const ending = endingAt(found.session, now, settings);
    if (ending) {
      await dal.end(db, found.session.id, now, ending);
      return null;
    }
    if (now.getTime() - found.session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await dal.touch(db, found.session.id, now);
      found.session.lastSeenAt = now;
    }
    return found;
  }

  function principalOf(found: { session: StoredSession; user: User }): Principal {
    return {
      user: found.user,
      credential: { kind: 'session', sessionId: found.session.id, method: found.session.method },
    };
  }

  return {
    /** Starts a session for a user who just proved who they are; audited as `auth.signed_in`. */
    async startSession(input: {
      userId: string;
      method: SessionMethod;
      clientIp: string;
      userAgent: string | undefined;
    }): Promise<StartedSession> {
      const now = clock.now();
      const cookieValue = randomSecret(32);
      const session = {
        id: randomUUID(),
        userId: input.userId,
        method: input.method,
        createdAt: now,
        lastSeenAt: now,
        absoluteExpiresAt: new Date(now.getTime() + settings.absoluteMs),
        tokenHash: sha256Hex(cookieValue),
        clientIp: input.clientIp,
        // Bounded: the header is the client's to choose.
        userAgent: input.userAgent?.slice(0, 512) ?? null,
      };
      const email = await db.transaction().execute(async (trx) => {
        const user = await trx
          .selectFrom('users')
          .select('email')
          .where('id', '=', input.userId)
          .executeTakeFirst();
        if (!user) throw new NotFound('user', input.userId);
        await dal.insert(trx, session);
        await audit.append(trx, {
          actor: { type: 'user', userId: input.userId, email: user.email },
          action: 'auth.signed_in',
          subject: { type: 'user', id: input.userId },
          detail: { method: input.method, sessionId: session.id, clientIp: input.clientIp },
          at: now,
        });
        return user.email;
      });
      await securityEvents?.record({
        kind: 'signed_in',
        principal: email,
        clientIp: input.clientIp,
        at: now,
        detail: { method: input.method },
      });
      return {
        sessionId: session.id,
        cookieValue,
        csrfToken: csrfTokenFor(cookieValue),
        idleExpiresAt: idleExpiry(now, session.absoluteExpiresAt),
        absoluteExpiresAt: session.absoluteExpiresAt,
      };
    },

    /** The `Set-Cookie` value carrying a session, or clearing it (`null`). */
    sessionCookie(cookieValue: string | null, options: { secure: boolean }): string {
      return setCookie(SESSION_COOKIE, cookieValue, { secure: options.secure });
    },

    /**
     * The principal a session cookie stands for at `now`, or null when the
     * session is unknown, ended, idle too long or past its absolute end.
     * Slides the idle expiry (writing `last_seen_at` at most once a minute,
     * so the idle timeout may end a session up to a minute early).
     */
    async authenticateSession(cookieValue: string, now: Date = clock.now()): Promise<Principal | null> {
      const found = await resolve(cookieValue, now);
      return found ? principalOf(found) : null;
    },

    /** The live session behind a cookie, with its CSRF token and expiries; null as for authenticateSession. */
    async currentSession(cookieValue: string): Promise<CurrentSession | null> {
      const found = await resolve(cookieValue, clock.now());
      if (!found) return null;
      return {
        principal: principalOf(found),
        csrfToken: csrfTokenFor(cookieValue),
        idleExpiresAt: idleExpiry(found.session.lastSeenAt, found.session.absoluteExpiresAt),
        absoluteExpiresAt: found.session.absoluteExpiresAt,
      };
    },

    /** Ends the session the principal signed in with (`auth.signed_out`). */
    async endSession(principal: Principal): Promise<void> {
      if (principal.credential.kind !== 'session') return;
      const sessionId = principal.credential.sessionId;
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        if (!(await dal.end(trx, sessionId, now, 'signed_out'))) return;
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'auth.signed_out',
          subject: { type: 'user', id: principal.user.id },
          detail: { sessionId },
          at: now,
        });
      });
    },

    /** Ends every open session of the principal's user, this one included; returns how many. */
    async endAllSessions(principal: Principal): Promise<number> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const ended = await dal.endAllOfUser(trx, principal.user.id, now, 'signed_out_everywhere');
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'auth.signed_out_everywhere',
          subject: { type: 'user', id: principal.user.id },
          detail: { sessionsEnded: ended },
          at: now,
        });
        return ended;
      });
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
