/**
 * Ingest tokens: secrets that can only submit signals, for one source or
 * all. Monitoring systems hold them (often in a URL, for senders that
 * cannot set headers), so they are kept apart from people's API tokens: an
 * ingest token reads nothing and changes nothing but the signal store.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret, sha256Hex } from '../platform/crypto.ts';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Forbidden, NotFound, Unauthenticated } from '../platform/errors.ts';
import type { IdentityService } from './identity-service.ts';
import { type Principal, type SecurityEvents, TOKEN_PREFIX } from './identity-types.ts';
import { grantFor, scopesAllowSource } from './permissions.ts';
import { actorOf } from './principal-actor.ts';

/** Ingest tokens start with this, so a leaked one is recognisable (and distinct from `vgl_` API tokens). */
export const INGEST_TOKEN_PREFIX = 'vgi_';

/** How long a token found valid is trusted without asking the database again. */
const TOKEN_CACHE_MS = 5_000;
/** More cached tokens than this and the cache starts over: only valid tokens are kept, and they are few. */
const MAX_CACHED_TOKENS = 1_000;

export interface IngestToken {
  id: string;
  name: string;
  /** The one source it may submit to; null for every source. */
  source: string | null;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
}

/** Who is submitting signals: the token, by id and name. */
export interface IngestPrincipal {
  tokenId: string;
  name: string;
  source: string | null;
}

export function createIngestTokenService(deps: {
  db: Kysely<VigilDatabase>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  /** Self-watching: each new token is reported after its commit. */
  securityEvents?: SecurityEvents | undefined;
  /** API tokens (`vgl_…`) with an `ingest` or `ingest:SOURCE` scope submit signals too. */
  apiTokens?: Pick<IdentityService, 'authenticate'> | undefined;
}) {
  const { db, audit, clock, securityEvents } = deps;

  /** An API token used for ingestion: it needs an ingest scope for `source` and a role that may ingest. */
  async function apiTokenPrincipal(token: string, source: string): Promise<IngestPrincipal> {
    if (!deps.apiTokens) throw new Unauthenticated('the ingest token is not valid');
    const principal = await deps.apiTokens.authenticate(token);
    const { credential } = principal;
    if (credential.kind !== 'token' || !scopesAllowSource(credential.scopes, source)) {
      throw new Forbidden(`this API token has no ingest scope for ${source} signals`);
    }
    if (grantFor(principal.user.role, credential.scopes, 'signals:ingest') === null) {
      throw new Forbidden(`the ${principal.user.role} role may not submit signals`);
    }
    return { tokenId: credential.tokenId, name: `api token of ${principal.user.email}`, source };
  }
  /**
   * Tokens recently found valid, by hash: a busy sender (one request per
   * alert) then costs no query per request. A revocation in this process
   * takes effect at once; one made by another process within the TTL.
   */
  const recent = new Map<
    string,
    { row: { id: string; name: string; source: string | null }; until: number }
  >();

  function fromRow(r: {
    id: string;
    name: string;
    source: string | null;
    created_at: string;
    created_by: string;
    revoked_at: string | null;
  }): IngestToken {
    return {
      id: r.id,
      name: r.name,
      source: r.source,
      createdAt: fromDbInstant(r.created_at),
      createdBy: r.created_by,
      revokedAt: fromDbInstantOrNull(r.revoked_at),
    };
  }

  return {
    /** Creates a token; its secret is in the answer only, never stored in clear. */
    async create(
      principal: Principal,
      input: { name: string; source?: string | undefined },
      clientIp = '',
    ): Promise<IngestToken & { token: string }> {
      const now = clock.now();
      const token = `${INGEST_TOKEN_PREFIX}${randomSecret(32)}`;
      const record: IngestToken = {
        id: randomUUID(),
        name: input.name,
        source: input.source ?? null,
        createdAt: now,
        createdBy: formatActor(actorOf(principal)),
        revokedAt: null,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('ingest_tokens')
          .values({
            id: record.id,
            name: record.name,
            source: record.source,
            token_hash: sha256Hex(token),
            created_at: toDbInstant(now),
            created_by: record.createdBy,
            revoked_at: null,
          })
          .execute();
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'ingest_token.created',
          subject: { type: 'ingest_token', id: record.id },
          detail: { name: record.name, source: record.source },
          at: now,
        });
      });
      await securityEvents?.record({
        kind: 'token_created',
        principal: principal.user.email,
        clientIp,
        at: now,
        detail: { tokenKind: 'ingest', tokenId: record.id, name: record.name, source: record.source ?? '*' },
      });
      return { ...record, token };
    },

    async list(): Promise<IngestToken[]> {
      const rows = await db
        .selectFrom('ingest_tokens')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    /** Revokes a token at once; revoking twice is harmless. */
    async revoke(principal: Principal, id: string): Promise<IngestToken> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('ingest_tokens').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw new NotFound('ingest token', id);
        if (row.revoked_at) return fromRow(row);
        await trx
          .updateTable('ingest_tokens')
          .set({ revoked_at: toDbInstant(now) })
          .where('id', '=', id)
          .execute();
        recent.delete(row.token_hash);
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'ingest_token.revoked',
          subject: { type: 'ingest_token', id },
          detail: { name: row.name, source: row.source },
          at: now,
        });
        return fromRow({ ...row, revoked_at: toDbInstant(now) });
      });
    },

    /**
     * Who `token` is, if it may submit to `source`: Unauthenticated (401)
     * for an unknown or revoked token, Forbidden (403) for a token of
     * another source.
     */
    async authenticate(token: string, source: string): Promise<IngestPrincipal> {
      if (token.startsWith(TOKEN_PREFIX)) return apiTokenPrincipal(token, source);
      const hash = sha256Hex(token);
      const now = clock.now().getTime();
      const cached = recent.get(hash);
      let row = cached && cached.until > now ? cached.row : undefined;
      if (!row) {
        const found = await db
          .selectFrom('ingest_tokens')
          .select(['id', 'name', 'source', 'revoked_at'])
          .where('token_hash', '=', hash)
          .executeTakeFirst();
        if (!found || found.revoked_at) throw new Unauthenticated('the ingest token is not valid');
        row = { id: found.id, name: found.name, source: found.source };
        if (recent.size >= MAX_CACHED_TOKENS) recent.clear();
        recent.set(hash, { row, until: now + TOKEN_CACHE_MS });
      }
      if (row.source !== null && row.source !== source) {
        throw new Forbidden(`this ingest token may only submit ${row.source} signals`);
      }
      return { tokenId: row.id, name: row.name, source: row.source };
    },
  };
}

export type IngestTokenService = ReturnType<typeof createIngestTokenService>;
