import path from 'node:path';
import { ValidationFailed } from '../errors.ts';

/** Where the data lives, parsed from `--database` / `VIGIL_DATABASE_URL`. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; connectionString: string; schema: string | undefined };

/**
 * Parses a database URL.
 *
 * - `sqlite:./data/vigil.db` (relative to the working directory), `sqlite:/abs/path.db`,
 *   `sqlite::memory:` for a throw-away database;
 * - `postgres://user@host:5432/db` or `postgresql://...`; an optional `?schema=NAME`
 *   query parameter selects a PostgreSQL schema (used by the tests to isolate suites).
 *
 * @example parseDatabaseUrl('sqlite:./data/vigil.db') // { dialect: 'sqlite', file: '/cwd/data/vigil.db' }
 */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file === '') throw invalid(url, 'a SQLite URL needs a file path, e.g. sqlite:./data/vigil.db');
    return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw invalid(url, 'schema must be a lower-case SQL identifier');
    }
    parsed.searchParams.delete('schema');
    return { dialect: 'postgres', connectionString: parsed.toString(), schema };
  }
  throw invalid(url, 'expected sqlite:PATH or postgres://...');
}

/** The URL with any password removed, safe for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  if (!url.startsWith('postgres')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

function invalid(url: string, reason: string): ValidationFailed {
  return new ValidationFailed([{ field: 'database', reason: `${reason} (got ${redactDatabaseUrl(url)})` }]);
}
