import { type Migration, type MigrationResult, Migrator } from 'kysely';
import { migrations } from '../../../migrations/index.ts';
import { createMigrationContext } from '../../../migrations/migration-context.ts';
import type { Database } from './database.ts';

export interface MigrationReport {
  /** Names applied by this run, in order. */
  applied: string[];
  /** Set when a migration failed; the ones before it stay applied. */
  error: { migration: string | undefined; message: string } | undefined;
}

function createMigrator(database: Database): Migrator {
  const ctx = createMigrationContext(database.dialect);
  const provider = {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {};
      for (const { name, module } of migrations) out[name] = { up: (db) => module.up(db, ctx) };
      return out;
    },
  };
  // Kysely looks for its bookkeeping tables in every schema; naming ours keeps
  // databases that share a PostgreSQL server in separate schemas apart.
  return new Migrator({
    db: database.kysely,
    provider,
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
}

/**
 * Applies every pending migration. Results are returned, not thrown, so
 * callers can report exactly which migration failed (Kysely runs each in
 * its own transaction on both engines, and locks so two processes starting
 * together do not race).
 */
export async function migrateToLatest(database: Database): Promise<MigrationReport> {
  const { error, results } = await createMigrator(database).migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (!error) return { applied, error: undefined };
  const failed: MigrationResult | undefined = results?.find((r) => r.status === 'Error');
  return {
    applied,
    error: {
      migration: failed?.migrationName,
      message: error instanceof Error ? error.message : String(error),
    },
  };
}

/** Names of migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const all = await createMigrator(database).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
