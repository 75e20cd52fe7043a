import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';

export type TestDialect = 'sqlite' | 'postgres';

/** A fresh, empty database for one suite, and how to remove it. */
export interface ScratchDatabase {
  dialect: TestDialect;
  url: string;
  drop(): Promise<void>;
}

const postgresBase = process.env.VIGIL_TEST_DATABASE_URL;

/** A new SQLite file in its own temporary folder. */
export function scratchSqlite(): ScratchDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-test-'));
  return {
    dialect: 'sqlite',
    url: `sqlite:${path.join(dir, 'vigil.db')}`,
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A new schema in the test PostgreSQL database, so suites never see each other's rows. */
export function scratchPostgres(): ScratchDatabase {
  if (!postgresBase) throw new Error('VIGIL_TEST_DATABASE_URL is not set');
  const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(postgresBase);
  url.searchParams.set('schema', schema);
  return {
    dialect: 'postgres',
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresBase });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export function scratchDatabase(dialect: TestDialect): ScratchDatabase {
  return dialect === 'sqlite' ? scratchSqlite() : scratchPostgres();
}

/**
 * Declares the same suite once per database engine. Without
 * VIGIL_TEST_DATABASE_URL the PostgreSQL copy is skipped, and its name says
 * why (the global setup prints the reason too; on CI it fails instead).
 */
export function describeEachDatabase(name: string, suite: (dialect: TestDialect) => void): void {
  describe(`${name} [sqlite]`, () => suite('sqlite'));
  const skipped = !postgresBase;
  const label = skipped
    ? `${name} [postgres] (skipped: VIGIL_TEST_DATABASE_URL is not set)`
    : `${name} [postgres]`;
  describe.skipIf(skipped)(label, () => suite('postgres'));
}
