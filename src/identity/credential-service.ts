import { hash, verify } from '@node-rs/argon2';
import type { Kysely, Transaction } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret, sha256Hex } from '../platform/crypto.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Forbidden, NotFound, ValidationFailed } from '../platform/errors.ts';
import type { CredentialDal, LocalCredential } from './credential-dal.ts';
import { normaliseEmail, type Principal, type SecurityEvents, type User } from './identity-types.ts';
import { lockState } from './lockout.ts';
import { type PasswordRules, passwordRefusals } from './password-rules.ts';
import { actorOf } from './principal-actor.ts';
import type { SessionDal } from './session-dal.ts';
import type { SessionService, StartedSession } from './session-service.ts';
import { verifyTotp } from './totp.ts';

/**
 * argon2id at OWASP's baseline: 19 MiB of memory, 2 passes, 1 lane (about
 * 30-60 ms per hash on a server core). Memory-hard, so guessing on GPUs is
 * slow; the PHC string records these parameters, so raising them later
 * leaves existing hashes verifiable.
 */
export const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const SIGN_IN_ACTOR: Actor = { type: 'system', name: 'sign-in' };

export type SignInFailure =
  | 'unknown_account'
  | 'no_password'
  | 'bad_password'
  | 'bad_totp'
  | 'totp_replayed'
  | 'locked';

export type SignInOutcome =
  | { outcome: 'signed_in'; user: User; session: StartedSession }
  /** Wrong email or password: one answer whether the account exists or not. */
  | { outcome: 'failed' }
  | { outcome: 'second_factor_required' }
  | { outcome: 'second_factor_invalid' }
  | { outcome: 'locked'; retryAfterSeconds: number };

export interface SignInInput {
  email: string;
  password: string;
  totp?: string | undefined;
  clientIp: string;
  userAgent: string | undefined;
}

/** The subject of an audit entry about an email that may or may not be an account (nothing tells which). */
function signInSubject(email: string, user: User | undefined) {
  return { type: 'user', id: user ? user.id : `unknown:${sha256Hex(email)}` };
}

/**
 * Local accounts: passwords (argon2id), the lockout, sign-in by password and
 * second factor. TOTP enrolment lives in totp-service.ts.
 */
export function createCredentialService(deps: {
  db: Kysely<VigilDatabase>;
  dal: CredentialDal;
  sessionDal: Pick<SessionDal, 'endAllOfUser'>;
  sessions: Pick<SessionService, 'startSession'>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  rules: PasswordRules;
  securityEvents?: SecurityEvents | undefined;
}) {
  const { db, dal, sessionDal, sessions, audit, clock, rules, securityEvents } = deps;
  let dummyHash: Promise<string> | undefined;
  /** Made on the first sign-in of any kind, so that first answer is equally slow whether the account exists or not. */
  const dummy = () => {
    dummyHash ??= hash(randomSecret(16), ARGON2_OPTIONS);
    return dummyHash;
  };

  /** Spends the time of a real verification when there is nothing to verify against. */
  async function verifyDummy(password: string): Promise<void> {
    await verify(await dummy(), password);
  }

  async function failSignIn(
    email: string,
    found: { user: User; credential: LocalCredential | null } | null,
    reason: SignInFailure,
    clientIp: string,
  ): Promise<{ lockedForSeconds: number | null }> {
    const now = clock.now();
    const subject = signInSubject(email, found?.user);
    const userId = found?.credential ? found.user.id : null;
    const lock = await db.transaction().execute(async (trx) => {
      let locked: ReturnType<typeof lockState> = { locked: false };
      // Attempts during a lock are refused unchecked and do not extend it.
      if (userId && reason !== 'locked') {
        const failures = await dal.recordFailure(trx, userId, now);
        locked = lockState(failures, now, now);
        if (locked.locked) {
          await dal.setLockedUntil(trx, userId, locked.until);
          await audit.append(trx, {
            actor: SIGN_IN_ACTOR,
            action: 'auth.locked_out',
            subject,
            detail: { failures, lockedUntil: locked.until.toISOString(), clientIp },
            at: now,
          });
        }
      }
      await audit.append(trx, {
        actor: SIGN_IN_ACTOR,
        action: 'auth.sign_in_failed',
        subject,
        detail: { method: 'password', reason, email, clientIp },
        at: now,
      });
      return locked;
    });
    await securityEvents?.record({
      kind: 'sign_in_failed',
      principal: email,
      clientIp,
      at: now,
      detail: { reason },
    });
    if (!lock.locked) return { lockedForSeconds: null };
    await securityEvents?.record({ kind: 'locked_out', principal: email, clientIp, at: now });
    return { lockedForSeconds: lock.retryAfterSeconds };
  }

  /** The step of a valid, unused TOTP code, or why the code is refused. */
  function checkTotp(
    credential: LocalCredential,
    code: string,
    now: Date,
  ): number | 'bad_totp' | 'totp_replayed' {
    const secret = credential.totpSecret ?? '';
    const step = verifyTotp(secret, code, now, credential.totpLastStep);
    if (step !== null) return step;
    return verifyTotp(secret, code, now) === null ? 'bad_totp' : 'totp_replayed';
  }

  async function passedPassword(
    input: SignInInput,
    email: string,
    found: { user: User; credential: LocalCredential },
  ): Promise<SignInOutcome> {
    const { user, credential } = found;
    const failed = async (reason: SignInFailure): Promise<SignInOutcome> => {
      const { lockedForSeconds } = await failSignIn(email, found, reason, input.clientIp);
      if (lockedForSeconds !== null) return { outcome: 'locked', retryAfterSeconds: lockedForSeconds };
      return reason === 'bad_password' ? { outcome: 'failed' } : { outcome: 'second_factor_invalid' };
    };
    const now = clock.now();
    let step: number | null = null;
    if (credential.totpEnabledAt) {
      // The password was right: saying a code is needed is the point of the second factor.
      if (!input.totp) return { outcome: 'second_factor_required' };
      const checked = checkTotp(credential, input.totp, now);
      if (typeof checked === 'string') return failed(checked);
      step = checked;
    }
    const replayed = await db.transaction().execute(async (trx) => {
      if (step !== null && !(await dal.acceptTotpStep(trx, user.id, step))) return true;
      await dal.resetFailures(trx, user.id);
      return false;
    });
    // Another request used the same code between our read and our write.
    if (replayed) return failed('totp_replayed');
    const session = await sessions.startSession({
      userId: user.id,
      method: 'password',
      clientIp: input.clientIp,
      userAgent: input.userAgent,
    });
    return { outcome: 'signed_in', user, session };
  }

  async function checkCurrentPassword(
    principal: Principal,
    credential: LocalCredential,
    current: string | undefined,
    clientIp: string,
  ) {
    const lock = lockState(credential.failedAttempts, credential.lastFailedAt, clock.now());
    if (lock.locked) {
      throw new Forbidden(`too many wrong passwords; try again in ${lock.retryAfterSeconds} seconds`);
    }
    if (current === undefined) {
      throw new ValidationFailed([
        { field: 'currentPassword', reason: 'is required to change your password' },
      ]);
    }
    if (await verify(credential.passwordHash, current)) return;
    // A stolen session must not be a way around the lockout.
    await failSignIn(principal.user.email, { user: principal.user, credential }, 'bad_password', clientIp);
    throw new ValidationFailed([{ field: 'currentPassword', reason: 'is not your current password' }]);
  }

  async function storePassword(
    trx: Transaction<VigilDatabase>,
    principal: Principal,
    target: User,
    passwordHash: string,
  ): Promise<void> {
    const now = clock.now();
    const self = principal.user.id === target.id;
    await dal.upsertPassword(trx, target.id, passwordHash, now);
    // A new password ends the sessions the old one opened (but the one changing it).
    const keep = self && principal.credential.kind === 'session' ? principal.credential.sessionId : undefined;
    const ended = await sessionDal.endAllOfUser(trx, target.id, now, 'password_changed', keep);
    await audit.append(trx, {
      actor: actorOf(principal),
      action: 'auth.password_set',
      subject: { type: 'user', id: target.id },
      detail: { email: target.email, by: self ? 'self' : 'admin', sessionsEnded: ended },
      at: now,
    });
  }

  /** An enabled user by id (a disabled one cannot be given a password). */
  async function findUser(userId: string): Promise<User> {
    const row = await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
    if (!row) throw new NotFound('user', userId);
    const found = await dal.findAccount(db, row.email);
    if (!found) throw new NotFound('user', userId);
    return found.user;
  }

  return {
    /**
     * Signs in with email, password and (when enrolled) a TOTP code. Wrong
     * email and wrong password give the same outcome after the same work
     * (a dummy hash is verified when there is no account or no password).
     */
    async signIn(input: SignInInput): Promise<SignInOutcome> {
      const email = normaliseEmail(input.email);
      await dummy();
      const found = await dal.findAccount(db, email);
      const credential = found?.credential;
      if (!found || !credential) {
        await verifyDummy(input.password);
        await failSignIn(email, found, found ? 'no_password' : 'unknown_account', input.clientIp);
        return { outcome: 'failed' };
      }
      const lock = lockState(credential.failedAttempts, credential.lastFailedAt, clock.now());
      if (lock.locked) {
        await failSignIn(email, found, 'locked', input.clientIp);
        return { outcome: 'locked', retryAfterSeconds: lock.retryAfterSeconds };
      }
      if (!(await verify(credential.passwordHash, input.password))) {
        const { lockedForSeconds } = await failSignIn(email, found, 'bad_password', input.clientIp);
        return lockedForSeconds === null
          ? { outcome: 'failed' }
          : { outcome: 'locked', retryAfterSeconds: lockedForSeconds };
      }
      return passedPassword(input, email, { user: found.user, credential });
    },

    /**
     * Sets a user's password: an admin for anyone, a user for themself (with
     * their current password once they have one). The password must pass the
     * rules (400 naming `password`); the user's other sessions end.
     */
    async setPassword(
      principal: Principal,
      input: { userId: string; password: string; currentPassword?: string | undefined; clientIp: string },
    ): Promise<void> {
      const self = principal.user.id === input.userId;
      if (!self && principal.user.role !== 'admin') {
        throw new Forbidden("only an admin may set another user's password");
      }
      const target = self ? principal.user : await findUser(input.userId);
      const refusals = passwordRefusals(input.password, target.email, rules);
      if (refusals.length > 0) {
        throw new ValidationFailed(refusals.map((r) => ({ field: 'password', reason: r.reason })));
      }
      const existing = await dal.find(db, target.id);
      if (self && existing) {
        await checkCurrentPassword(principal, existing, input.currentPassword, input.clientIp);
      }
      const passwordHash = await hash(input.password, ARGON2_OPTIONS);
      await db.transaction().execute((trx) => storePassword(trx, principal, target, passwordHash));
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
