/**
 * API tokens: named, scoped, expiring credentials for scripts and
 * integrations. The secret is shown once at creation and stored only as
 * its SHA-256; a token can never hold more power than the credential that
 * created it.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret } from '../platform/crypto.ts';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../platform/errors.ts';
import { hashToken, parseStoredScopes } from './identity-service.ts';
import { normaliseEmail, type Principal, type SecurityEvents, TOKEN_PREFIX } from './identity-types.ts';
import { grantFor, scopesWithin, type TokenScope } from './permissions.ts';
import { actorOf } from './principal-actor.ts';

/** A token as listed: never its secret or hash. */
export interface ApiToken {
  id: string;
  name: string;
  owner: string;
  scopes: TokenScope[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Longest life a token may be given: a forgotten token should die on its own. */
const MAX_LIFETIME_MS = 2 * 366 * 24 * 3_600_000;

function scopesOf(principal: Principal): readonly TokenScope[] | null {
  return principal.credential.kind === 'token' ? principal.credential.scopes : null;
}

export function createApiTokenService(deps: {
  db: Kysely<VigilDatabase>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  securityEvents?: SecurityEvents | undefined;
}) {
  const { db, audit, clock } = deps;
  const mayManageAll = (p: Principal) => grantFor(p.user.role, scopesOf(p), 'tokens:admin') !== null;
  const maySeeAll = (p: Principal) => grantFor(p.user.role, scopesOf(p), 'tokens:read') !== null;

  function listQuery(executor: Kysely<VigilDatabase> = db) {
    return executor
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select([
        't.id',
        't.name',
        'u.email',
        't.scopes',
        't.created_at',
        't.expires_at',
        't.last_used_at',
        't.revoked_at',
      ]);
  }
  type Row = Awaited<ReturnType<ReturnType<typeof listQuery>['execute']>>[number];
  const toToken = (r: Row): ApiToken => ({
    id: r.id,
    name: r.name,
    owner: r.email,
    scopes: parseStoredScopes(r.scopes),
    createdAt: fromDbInstant(r.created_at),
    expiresAt: fromDbInstantOrNull(r.expires_at),
    lastUsedAt: fromDbInstantOrNull(r.last_used_at),
    revokedAt: fromDbInstantOrNull(r.revoked_at),
  });

  return {
    /**
     * Creates a token for the caller (or, with `tokens:admin`, for `owner`,
     * e.g. an ingest service account). The scopes must not exceed the
     * caller's own credential, and must be ones the owner's role can use.
     */
    async create(
      principal: Principal,
      input: {
        name: string;
        scopes: TokenScope[];
        expiresAt?: Date | undefined;
        owner?: string | undefined;
        clientIp?: string | undefined;
      },
    ): Promise<{ token: ApiToken; secret: string }> {
      const now = clock.now();
      if (!scopesWithin(input.scopes, scopesOf(principal))) {
        throw new Forbidden('a token cannot be given scopes beyond those of the credential creating it');
      }
      if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
        throw new ValidationFailed([{ field: 'body.expiresAt', reason: 'must be in the future' }]);
      }
      if (input.expiresAt && input.expiresAt.getTime() - now.getTime() > MAX_LIFETIME_MS) {
        throw new ValidationFailed([{ field: 'body.expiresAt', reason: 'must be within two years' }]);
      }
      const ownerEmail = input.owner ? normaliseEmail(input.owner) : principal.user.email;
      if (ownerEmail !== principal.user.email && !mayManageAll(principal)) {
        throw new Forbidden('only an administrator creates tokens for someone else');
      }
      const owner = await db
        .selectFrom('users')
        .select(['id', 'email', 'role'])
        .where('email', '=', ownerEmail)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!owner)
        throw new ValidationFailed([{ field: 'body.owner', reason: `no active user ${ownerEmail}` }]);
      const secret = `${TOKEN_PREFIX}${randomSecret(32)}`;
      const token: ApiToken = {
        id: randomUUID(),
        name: input.name,
        owner: owner.email,
        scopes: input.scopes,
        createdAt: now,
        expiresAt: input.expiresAt ?? null,
        lastUsedAt: null,
        revokedAt: null,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('api_tokens')
          .values({
            id: token.id,
            user_id: owner.id,
            name: token.name,
            token_hash: hashToken(secret),
            created_at: toDbInstant(now),
            expires_at: token.expiresAt ? toDbInstant(token.expiresAt) : null,
            revoked_at: null,
            scopes: JSON.stringify(token.scopes),
          })
          .execute();
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'api_token.created',
          subject: { type: 'api_token', id: token.id },
          detail: {
            name: token.name,
            owner: owner.email,
            scopes: token.scopes,
            expiresAt: token.expiresAt?.toISOString() ?? null,
          },
          at: now,
        });
      });
      await deps.securityEvents?.record({
        kind: 'token_created',
        principal: principal.user.email,
        clientIp: input.clientIp ?? '',
        at: now,
        detail: { tokenId: token.id, owner: owner.email, scopes: token.scopes.join(' ') },
      });
      return { token, secret };
    },

    /** The caller's tokens, or everyone's with `tokens:read` (auditors, administrators); newest first. */
    async list(principal: Principal): Promise<ApiToken[]> {
      let query = listQuery();
      if (!maySeeAll(principal)) query = query.where('t.user_id', '=', principal.user.id);
      return (await query.orderBy('t.created_at', 'desc').orderBy('t.id').execute()).map(toToken);
    },

    /** Revokes a token at once; its owner or an administrator. 409 when already revoked. */
    async revoke(principal: Principal, id: string): Promise<ApiToken> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('api_tokens')
          .select(['user_id', 'revoked_at'])
          .where('id', '=', id)
          .executeTakeFirst();
        // Someone else's token is "not found" to a caller who may not manage it: ids reveal nothing.
        if (!row || (row.user_id !== principal.user.id && !mayManageAll(principal))) {
          throw new NotFound('api token', id);
        }
        if (row.revoked_at) throw new Conflict(`api token ${id} is already revoked`);
        await trx
          .updateTable('api_tokens')
          .set({ revoked_at: toDbInstant(now), revoked_by: principal.user.email })
          .where('id', '=', id)
          .execute();
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'api_token.revoked',
          subject: { type: 'api_token', id },
          detail: {},
          at: now,
        });
        const found = await listQuery(trx).where('t.id', '=', id).executeTakeFirstOrThrow();
        return toToken(found);
      });
    },
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
