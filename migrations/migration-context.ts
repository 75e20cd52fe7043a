import type { CreateTableBuilder } from 'kysely';

/** What a migration may need to know about the engine it runs on. */
export interface MigrationContext {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Adds an auto-incrementing integer primary key named `column`:
   * SQLite's `integer primary key autoincrement`, PostgreSQL's identity column.
   */
  withSequenceKey<T extends string>(
    builder: CreateTableBuilder<T, never>,
    column: string,
  ): CreateTableBuilder<T, string>;
}

export function createMigrationContext(dialect: 'sqlite' | 'postgres'): MigrationContext {
  return {
    dialect,
    withSequenceKey: (builder, column) =>
      dialect === 'sqlite'
        ? builder.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement())
        : builder.addColumn(column, 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity()),
  };
}
