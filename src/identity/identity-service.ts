import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret, sha256Hex } from '../platform/crypto.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Unauthenticated, ValidationFailed } from '../platform/errors.ts';
import type { IdentityDal } from './identity-dal.ts';
import { type Principal, TOKEN_PREFIX, type User } from './identity-types.ts';

/** Shortest token accepted from VIGIL_ADMIN_TOKEN: a guessable token would guard everything. */
const MIN_PRESET_TOKEN_LENGTH = 24;

const BOOTSTRAP_ACTOR: Actor = { type: 'system', name: 'bootstrap' };

export interface BootstrapResult {
  created: boolean;
  email: string;
  /** The admin's token in clear, shown once; undefined when the admin already existed or the token was preset. */
  generatedToken?: string;
}

/** Tokens are high-entropy secrets, so one fast SHA-256 is the right hash (no salt or work factor needed). */
export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function createIdentityService(deps: {
  db: Kysely<VigilDatabase>;
  dal: IdentityDal;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
}) {
  const { db, dal, audit, clock } = deps;

  async function createAdmin(email: string, token: string): Promise<void> {
    const now = clock.now();
    const user: User = {
      id: randomUUID(),
      email,
      displayName: 'Administrator',
      role: 'admin',
      createdAt: now,
    };
    const tokenId = randomUUID();
    await db.transaction().execute(async (trx) => {
      await dal.insertUser(trx, user);
      await dal.insertToken(trx, {
        id: tokenId,
        userId: user.id,
        name: 'bootstrap',
        tokenHash: hashToken(token),
        createdAt: now,
      });
      await audit.append(trx, {
        actor: BOOTSTRAP_ACTOR,
        action: 'user.created',
        subject: { type: 'user', id: user.id },
        detail: { email, role: user.role },
        at: now,
      });
      await audit.append(trx, {
        actor: BOOTSTRAP_ACTOR,
        action: 'api_token.created',
        subject: { type: 'api_token', id: tokenId },
        detail: { userId: user.id, name: 'bootstrap' },
        at: now,
      });
    });
  }

  return {
    /**
     * On the very first start, creates the admin user and an API token: the
     * preset one (for automation) or a fresh random one, returned once.
     * Later starts, and a second process racing the first, change nothing.
     */
    async bootstrapAdmin(options: {
      email: string;
      presetToken?: string | undefined;
    }): Promise<BootstrapResult> {
      const { email, presetToken } = options;
      if (presetToken !== undefined && presetToken.length < MIN_PRESET_TOKEN_LENGTH) {
        throw new ValidationFailed([
          { field: 'VIGIL_ADMIN_TOKEN', reason: `must be at least ${MIN_PRESET_TOKEN_LENGTH} characters` },
        ]);
      }
      if ((await dal.countUsers(db)) > 0) return { created: false, email };
      const token = presetToken ?? `${TOKEN_PREFIX}${randomSecret(32)}`;
      try {
        await createAdmin(email, token);
      } catch (error) {
        // Another process created the first user between our count and insert.
        if ((await dal.countUsers(db)) > 0) return { created: false, email };
        throw error;
      }
      return presetToken === undefined
        ? { created: true, email, generatedToken: token }
        : { created: true, email };
    },

    /** The principal a bearer token stands for; Unauthenticated when it is unknown, revoked or expired. */
    async authenticate(token: string): Promise<Principal> {
      const found = await dal.findActiveToken(db, hashToken(token), clock.now());
      if (!found) throw new Unauthenticated('the bearer token is not valid');
      return { user: found.user, tokenId: found.tokenId };
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
