import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret, sha256Hex } from '../platform/crypto.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, Unauthenticated, ValidationFailed } from '../platform/errors.ts';
import type { IdentityDal } from './identity-dal.ts';
import {
  type CreateUserInput,
  DEFAULT_ROLE,
  normaliseEmail,
  type PolicyPersonInput,
  type Principal,
  TOKEN_PREFIX,
  type User,
} from './identity-types.ts';
import { parseScope, type TokenScope } from './permissions.ts';
import { actorOf } from './principal-actor.ts';

/** How finely a token's last use is recorded. */
const LAST_USE_RESOLUTION_MS = 60_000;

/** A token's stored scopes; anything unreadable grants nothing rather than everything. */
export function parseStoredScopes(json: string): TokenScope[] {
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((s) => (typeof s === 'string' && parseScope(s) ? [s as TokenScope] : []));
  } catch {
    return [];
  }
}

/** Shortest token accepted from VIGIL_ADMIN_TOKEN: a guessable token would guard everything. */
const MIN_PRESET_TOKEN_LENGTH = 24;

const BOOTSTRAP_ACTOR: Actor = { type: 'system', name: 'bootstrap' };
const POLICY_ACTOR: Actor = { type: 'system', name: 'policy' };

/** The role of the people the policy puts in command of incidents. */
const POLICY_PERSON_ROLE = 'incident_manager';

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

  function userCreatedEntry(actor: Actor, user: User) {
    return {
      actor,
      action: 'user.created',
      subject: { type: 'user', id: user.id },
      detail: { email: user.email, name: user.displayName, role: user.role },
      at: user.createdAt,
    };
  }

  /** Users named by the policy, one per address (normalised), in address order. */
  function policyUsers(people: readonly PolicyPersonInput[], now: Date): User[] {
    const byEmail = new Map<string, User>();
    for (const person of people) {
      const email = normaliseEmail(person.email);
      if (byEmail.has(email)) continue;
      const displayName = person.name ?? person.title;
      byEmail.set(email, { id: randomUUID(), email, displayName, role: POLICY_PERSON_ROLE, createdAt: now });
    }
    return [...byEmail.values()].sort((a, b) => a.email.localeCompare(b.email));
  }

  /**
   * Makes `email` the admin, with a `bootstrap` token; false when another
   * process won the race. The address may already belong to a person the
   * policy named (created at start-up); that user is promoted.
   */
  async function createAdmin(email: string, token: string): Promise<boolean> {
    const now = clock.now();
    const fresh: User = {
      id: randomUUID(),
      email,
      displayName: 'Administrator',
      role: 'admin',
      createdAt: now,
    };
    const tokenId = randomUUID();
    return db.transaction().execute(async (trx) => {
      // Checked again inside the transaction: on SQLite it holds the write lock, so start-ups queue here.
      if ((await dal.countAdmins(trx)) > 0) return false;
      let userId = fresh.id;
      if (await dal.insertUserIfNew(trx, fresh)) {
        await audit.append(trx, userCreatedEntry(BOOTSTRAP_ACTOR, fresh));
      } else {
        const existing = await dal.findUserByEmail(trx, email);
        // Already an admin: a racing process (PostgreSQL) promoted or created them first.
        if (!existing || !(await dal.promoteToAdmin(trx, existing.id))) return false;
        userId = existing.id;
        await audit.append(trx, {
          actor: BOOTSTRAP_ACTOR,
          action: 'user.role_changed',
          subject: { type: 'user', id: userId },
          detail: { email, from: existing.role, to: 'admin' },
          at: now,
        });
      }
      await dal.insertToken(trx, {
        id: tokenId,
        userId,
        name: 'bootstrap',
        tokenHash: hashToken(token),
        createdAt: now,
      });
      await audit.append(trx, {
        actor: BOOTSTRAP_ACTOR,
        action: 'api_token.created',
        subject: { type: 'api_token', id: tokenId },
        detail: { userId, name: 'bootstrap' },
        at: now,
      });
      return true;
    });
  }

  return {
    /**
     * On the very first start (no admin yet), creates the admin user, or
     * promotes the existing user with that email, with an API token: the
     * preset one (for automation) or a fresh random one, returned once.
     * Later starts, and a second process racing the first, change nothing.
     */
    async bootstrapAdmin(options: {
      email: string;
      presetToken?: string | undefined;
    }): Promise<BootstrapResult> {
      const { presetToken } = options;
      const email = normaliseEmail(options.email);
      if (presetToken !== undefined && presetToken.length < MIN_PRESET_TOKEN_LENGTH) {
        throw new ValidationFailed([
          { field: 'VIGIL_ADMIN_TOKEN', reason: `must be at least ${MIN_PRESET_TOKEN_LENGTH} characters` },
        ]);
      }
      if ((await dal.countAdmins(db)) > 0) return { created: false, email };
      const token = presetToken ?? `${TOKEN_PREFIX}${randomSecret(32)}`;
      try {
        if (!(await createAdmin(email, token))) return { created: false, email };
      } catch (error) {
        // Another process created the admin between our count and insert (e.g. the same preset token).
        if ((await dal.countAdmins(db)) > 0) return { created: false, email };
        throw error;
      }
      return presetToken === undefined
        ? { created: true, email, generatedToken: token }
        : { created: true, email };
    },

    /**
     * The principal a bearer token stands for; Unauthenticated when it is
     * unknown, revoked or expired. Records the token's last use, at most
     * once a minute, so reading costs no write per request.
     */
    async authenticate(token: string): Promise<Principal> {
      const now = clock.now();
      const found = await dal.findActiveToken(db, hashToken(token), now);
      if (!found) throw new Unauthenticated('the bearer token is not valid');
      if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) >= LAST_USE_RESOLUTION_MS) {
        await db
          .updateTable('api_tokens')
          .set({ last_used_at: toDbInstant(now) })
          .where('id', '=', found.tokenId)
          .execute();
      }
      return {
        user: found.user,
        credential: { kind: 'token', tokenId: found.tokenId, scopes: parseStoredScopes(found.scopes) },
      };
    },

    /**
     * Creates a user (no token yet), audited as done by `principal`. The
     * email is stored in lower case; one already in use is a Conflict.
     */
    async createUser(principal: Principal, input: CreateUserInput): Promise<User> {
      const user: User = {
        id: randomUUID(),
        email: normaliseEmail(input.email),
        displayName: input.name,
        role: input.role ?? DEFAULT_ROLE,
        createdAt: clock.now(),
      };
      const actor: Actor = actorOf(principal);
      await db.transaction().execute(async (trx) => {
        if (!(await dal.insertUserIfNew(trx, user))) {
          throw new Conflict(`a user with the email ${user.email} already exists`);
        }
        await audit.append(trx, userCreatedEntry(actor, user));
      });
      return user;
    },

    /** Every user, oldest first. */
    async listUsers(): Promise<User[]> {
      return dal.listUsers(db);
    },

    /** The user with this email (in any case), or null. */
    async findUserByEmail(email: string): Promise<User | null> {
      return dal.findUserByEmail(db, normaliseEmail(email));
    },

    /**
     * Makes sure a system user exists (e.g. `detection@vigil.invalid`, which
     * declares the incidents detection rules open) and returns it. It holds
     * no token, so nobody can sign in as it; the `.invalid` domain can never
     * receive mail.
     */
    async ensureSystemUser(email: string, name: string): Promise<User> {
      const now = clock.now();
      const user: User = {
        id: randomUUID(),
        email: normaliseEmail(email),
        displayName: name,
        role: 'ingest',
        createdAt: now,
      };
      await db.transaction().execute(async (trx) => {
        if (await dal.insertUserIfNew(trx, user)) {
          await audit.append(trx, userCreatedEntry({ type: 'system', name: 'bootstrap' }, user));
        }
      });
      const found = await dal.findUserByEmail(db, user.email);
      if (!found) throw new Error(`system user ${user.email} could not be created`);
      return found;
    },

    /**
     * At start-up, creates a user (role `incident_manager`, named by `name`
     * or else `title`) for each person the policy puts in command who does
     * not exist yet, audited as the policy's doing; returns the emails it
     * created. Existing users are left as they are. Processes starting
     * together are safe: the unique email lets one insert each person, and
     * the others skip them, without error and without a second audit entry.
     * Inserting in address order means two such transactions never wait on
     * each other in opposite orders.
     */
    async ensurePolicyPeople(people: readonly PolicyPersonInput[]): Promise<string[]> {
      const candidates = policyUsers(people, clock.now());
      if (candidates.length === 0) return [];
      return db.transaction().execute(async (trx) => {
        const created: string[] = [];
        for (const user of candidates) {
          if (!(await dal.insertUserIfNew(trx, user))) continue;
          await audit.append(trx, userCreatedEntry(POLICY_ACTOR, user));
          created.push(user.email);
        }
        return created;
      });
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
