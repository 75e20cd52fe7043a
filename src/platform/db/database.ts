import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type DatabaseTarget, parseDatabaseUrl, redactDatabaseUrl } from './database-url.ts';
import type { VigilDatabase } from './schema.ts';
import { ImmediateTransactionSqliteDialect, withStatementCache } from './sqlite-dialect.ts';

export type DialectName = 'sqlite' | 'postgres';

/** An open database: the one Kysely instance every DAL receives, and how to close it. */
export interface Database {
  readonly kysely: Kysely<VigilDatabase>;
  readonly dialect: DialectName;
  /** The URL without credentials, for logs. */
  readonly description: string;
  /** The PostgreSQL schema selected by `?schema=`, if any. */
  readonly schema: string | undefined;
  /**
   * Connections in use and waited for, for the `/metrics` pool gauges:
   * PostgreSQL's pool counts; SQLite has one connection, always open.
   */
  poolUse(): PoolUse;
  close(): Promise<void>;
}

/** A connection pool's state at one instant. */
export interface PoolUse {
  total: number;
  idle: number;
  /** Queries waiting for a free connection. */
  waiting: number;
}

export interface OpenDatabaseOptions {
  /** Largest number of pooled PostgreSQL connections (default 10). */
  poolSize?: number;
}

/**
 * Opens the database named by `url` (see {@link parseDatabaseUrl}).
 *
 * SQLite runs in WAL mode with `synchronous=NORMAL` (durable across process
 * crashes; a power loss may drop the last commits) and a busy timeout, and
 * enforces foreign keys. PostgreSQL uses a pool; BIGINT columns come back as
 * numbers because every counter here stays far below 2^53.
 *
 * @example const database = await openDatabase('sqlite:./data/vigil.db');
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const description = redactDatabaseUrl(url);
  return target.dialect === 'sqlite'
    ? openSqlite(target.file, description)
    : openPostgres(target, description, options.poolSize ?? 10);
}

/**
 * `create schema if not exists` is not safe against itself: two processes
 * starting at once may both find the schema missing, and the loser fails with
 * a unique violation on the catalogue. That loser's schema exists all the same.
 */
async function createSchemaIfMissing(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
  }
}

/** The page size of SQLite databases Vigil creates. */
export const SQLITE_PAGE_SIZE = 16_384;

function openSqlite(file: string, description: string): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // Takes effect only when the file is new (a database keeps the page size it was created with).
  // A stored signal is 2-3 KB: a 4 KB page holds one and wastes the rest, so WAL writes and
  // checkpoints copy half-empty pages; 16 KB pages hold five or six, which halves what a batch of
  // signals costs to write and checkpoint (docs/performance.md).
  sqlite.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const kysely = new Kysely<VigilDatabase>({
    dialect: new ImmediateTransactionSqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return {
    kysely,
    dialect: 'sqlite',
    description,
    schema: undefined,
    // better-sqlite3 is one synchronous connection: never idle in the pool sense, never waited for.
    poolUse: () => ({ total: 1, idle: 0, waiting: 0 }),
    close: () => kysely.destroy(),
  };
}

async function openPostgres(
  target: Extract<DatabaseTarget, { dialect: 'postgres' }>,
  description: string,
  poolSize: number,
): Promise<Database> {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === pg.types.builtins.INT8) return (value: string) => Number.parseInt(value, 10);
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: poolSize,
    types,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; without a
  // listener Node would crash the process. The next query reports the outage.
  pool.on('error', () => {});
  if (target.schema) await createSchemaIfMissing(pool, target.schema);
  const kysely = new Kysely<VigilDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    description,
    schema: target.schema,
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => kysely.destroy(),
  };
}
