import pg from 'pg';
import { chromiumMissingReason, ensureConsoleBuilt, runIncludesE2e } from './console-build.ts';

/**
 * Runs once before the suite. PostgreSQL suites run when
 * VIGIL_TEST_DATABASE_URL is set; on CI (CI=true) they must run, so a missing
 * URL or an unreachable server fails the whole run instead of skipping.
 */
export default async function setup(): Promise<void> {
  // The browser suites test the built console: build it once, before any of them starts.
  if (runIncludesE2e() && !chromiumMissingReason()) ensureConsoleBuilt();
  const url = process.env.VIGIL_TEST_DATABASE_URL;
  const onCi = process.env.CI === 'true';
  if (!url) {
    if (onCi)
      throw new Error('CI=true but VIGIL_TEST_DATABASE_URL is not set: the PostgreSQL suites must run on CI');
    console.warn(
      '\n[vigil] PostgreSQL suites are SKIPPED: VIGIL_TEST_DATABASE_URL is not set ' +
        '(e.g. postgres://postgres@127.0.0.1:5432/test). SQLite suites run as usual.\n',
    );
    return;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`PostgreSQL at VIGIL_TEST_DATABASE_URL is unreachable: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  console.warn('\n[vigil] PostgreSQL suites will run against VIGIL_TEST_DATABASE_URL.\n');
}
