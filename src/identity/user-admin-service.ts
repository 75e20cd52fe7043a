/**
 * Changing who can do what: a user's role, and switching an account off.
 * Both are permission changes: audited, and reported to self-watching, so
 * the same rules that watch the database watch Vigil's own administrators.
 */
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../platform/clock.ts';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, NotFound } from '../platform/errors.ts';
import type { IdentityDal } from './identity-dal.ts';
import type { Principal, Role, SecurityEvents, User } from './identity-types.ts';
import { actorOf } from './principal-actor.ts';

export interface UserChange {
  role?: Role | undefined;
  /** true switches the account off (its tokens and sessions stop working at once); false back on. */
  disabled?: boolean | undefined;
}

export function createUserAdminService(deps: {
  db: Kysely<VigilDatabase>;
  dal: Pick<IdentityDal, 'countEnabledAdmins'>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  securityEvents?: SecurityEvents | undefined;
}) {
  const { db, dal, audit, clock } = deps;

  return {
    /**
     * Changes a user's role and/or switches the account off or on. The last
     * enabled administrator cannot be demoted or disabled (409): someone
     * must always be able to manage users. Changing nothing changes nothing.
     */
    async update(
      principal: Principal,
      id: string,
      change: UserChange,
      clientIp: string,
    ): Promise<User & { disabledAt: Date | null }> {
      const now = clock.now();
      const result = await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw new NotFound('user', id);
        const wasAdmin = row.role === 'admin' && row.disabled_at === null;
        const losesAdmin =
          wasAdmin && ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
        if (losesAdmin && (await dal.countEnabledAdmins(trx)) <= 1) {
          throw new Conflict(`${row.email} is the last administrator; make someone else one first`);
        }
        const roleChanged = change.role !== undefined && change.role !== row.role;
        const disabledChanged =
          change.disabled !== undefined && change.disabled !== (row.disabled_at !== null);
        const disabledAt = disabledChanged ? (change.disabled ? toDbInstant(now) : null) : row.disabled_at;
        if (roleChanged || disabledChanged) {
          await trx
            .updateTable('users')
            .set({ role: change.role ?? row.role, disabled_at: disabledAt })
            .where('id', '=', id)
            .execute();
        }
        if (roleChanged) {
          await audit.append(trx, {
            actor: actorOf(principal),
            action: 'user.role_changed',
            subject: { type: 'user', id },
            detail: { email: row.email, from: row.role, to: change.role },
            at: now,
          });
        }
        if (disabledChanged) {
          await audit.append(trx, {
            actor: actorOf(principal),
            action: change.disabled ? 'user.disabled' : 'user.enabled',
            subject: { type: 'user', id },
            detail: { email: row.email },
            at: now,
          });
        }
        return {
          user: {
            id,
            email: row.email,
            displayName: row.display_name,
            role: (change.role ?? row.role) as Role,
            createdAt: fromDbInstant(row.created_at),
            disabledAt: fromDbInstantOrNull(disabledAt),
          },
          roleChanged,
          from: row.role,
        };
      });
      if (result.roleChanged) {
        await deps.securityEvents?.record({
          kind: 'role_changed',
          principal: result.user.email,
          clientIp,
          at: now,
          detail: { from: result.from, to: result.user.role, by: principal.user.email },
        });
      }
      return result.user;
    },
  };
}

export type UserAdminService = ReturnType<typeof createUserAdminService>;
