import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type SqliteStatement,
} from 'kysely';

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `BEGIN`.
 * A deferred transaction that reads and then writes can fail with
 * SQLITE_BUSY when another connection (a second process, or `vigil audit
 * verify` running beside the server) wrote in between, and the busy timeout
 * cannot help. `BEGIN IMMEDIATE` takes the write lock up front, so writers
 * queue politely behind the busy timeout instead.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateTransactionSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }
}

/** Most distinct SQL texts kept prepared; `IN (?, ?, ...)` lists of many lengths make the set open-ended. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely asks better-sqlite3 to prepare every query afresh, and preparing
 * (parsing and planning) took over a tenth of a list request's time. The
 * same SQL text always compiles to the same statement, so prepared
 * statements are kept by text, least recently used dropped first. Kysely
 * runs one query at a time on the connection, so a statement is never used
 * by two queries at once.
 */
export function withStatementCache(database: SqliteDatabase): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) {
        // Re-insert to mark it most recently used (Map keeps insertion order).
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}
