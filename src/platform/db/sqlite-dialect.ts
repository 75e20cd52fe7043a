import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
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
