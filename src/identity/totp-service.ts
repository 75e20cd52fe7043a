import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, ValidationFailed } from '../platform/errors.ts';
import type { CredentialDal } from './credential-dal.ts';
import type { Principal } from './identity-types.ts';
import { actorOf } from './principal-actor.ts';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp.ts';

/**
 * A user's TOTP second factor: enrol (a secret shown once), confirm with a
 * code from the app (only then is it required at sign-in), disable with a
 * code. Each code is single-use: its step is recorded.
 */
export function createTotpService(deps: {
  db: Kysely<VigilDatabase>;
  dal: CredentialDal;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
}) {
  const { db, dal, audit, clock } = deps;

  async function credentialOf(principal: Principal) {
    const credential = await dal.find(db, principal.user.id);
    // The second factor guards the password sign-in: without a password there is nothing to guard.
    if (!credential) throw new Conflict('set a password before enrolling a second factor');
    return credential;
  }

  /** The step of `code` for `secret` now, after the last used step, or a 400 naming `code`. */
  function stepOf(secret: string, code: string, lastStep: number | null): number {
    const step = verifyTotp(secret, code, clock.now(), lastStep);
    if (step === null)
      throw new ValidationFailed([
        { field: 'code', reason: 'is not the current code (or was already used)' },
      ]);
    return step;
  }

  async function record(
    principal: Principal,
    action: 'auth.totp_enabled' | 'auth.totp_disabled',
    step: number,
  ) {
    const now = clock.now();
    const userId = principal.user.id;
    await db.transaction().execute(async (trx) => {
      if (!(await dal.acceptTotpStep(trx, userId, step))) {
        throw new ValidationFailed([{ field: 'code', reason: 'was already used' }]);
      }
      if (action === 'auth.totp_enabled') await dal.enableTotp(trx, userId, now);
      else await dal.clearTotp(trx, userId);
      await audit.append(trx, {
        actor: actorOf(principal),
        action,
        subject: { type: 'user', id: userId },
        detail: { method: 'totp' },
        at: now,
      });
    });
  }

  return {
    /**
     * Starts enrolment: a new secret and its otpauth:// URI, returned this
     * once. Not in force until confirmed; enrolling again replaces an
     * unconfirmed secret. A confirmed second factor must be disabled first.
     */
    async enrol(principal: Principal): Promise<{ secret: string; otpauthUri: string }> {
      const credential = await credentialOf(principal);
      if (credential.totpEnabledAt)
        throw new Conflict('a second factor is already enabled; disable it first');
      const secret = generateTotpSecret();
      await db.transaction().execute((trx) => dal.setPendingTotp(trx, principal.user.id, secret));
      return { secret, otpauthUri: otpauthUri(secret, principal.user.email) };
    },

    /** Confirms enrolment with a code from the app; from now on sign-in needs a code. */
    async confirm(principal: Principal, code: string): Promise<void> {
      const credential = await credentialOf(principal);
      if (credential.totpEnabledAt) throw new Conflict('the second factor is already enabled');
      if (!credential.totpSecret) throw new Conflict('no enrolment to confirm; enrol first');
      await record(
        principal,
        'auth.totp_enabled',
        stepOf(credential.totpSecret, code, credential.totpLastStep),
      );
    },

    /** Turns the second factor off, proven by a current code. */
    async disable(principal: Principal, code: string): Promise<void> {
      const credential = await credentialOf(principal);
      if (!credential.totpEnabledAt || !credential.totpSecret)
        throw new Conflict('no second factor is enabled');
      await record(
        principal,
        'auth.totp_disabled',
        stepOf(credential.totpSecret, code, credential.totpLastStep),
      );
    },
  };
}

export type TotpService = ReturnType<typeof createTotpService>;
