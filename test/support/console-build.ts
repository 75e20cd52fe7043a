import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * End-to-end tests and the console bench drive the built console in
 * Debian's Chromium (`apt-get install chromium`) through playwright-core,
 * which ships no browser of its own. `VIGIL_CHROMIUM_BIN` points at another
 * binary (or at a missing one, to see the suites skip).
 */
export const CHROMIUM_BIN = process.env.VIGIL_CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Why Chromium cannot run here, or null when it can. */
export function chromiumMissingReason(): string | null {
  try {
    fs.accessSync(CHROMIUM_BIN, fs.constants.X_OK);
    return null;
  } catch {
    return `${CHROMIUM_BIN} is not installed (apt-get install chromium)`;
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CONSOLE_DIST = path.join(ROOT, 'web/dist');

/** The newest modification time under a file or folder, in milliseconds. */
function newest(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

/** True when web/dist is missing or older than any source it is built from. */
export function consoleBuildIsStale(): boolean {
  const index = path.join(CONSOLE_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'];
  return sources.some((source) => newest(path.join(ROOT, source)) > built);
}

/**
 * Builds the console (`vite build`) unless web/dist is newer than its
 * sources, so the browser tests and the console bench see the code as it is.
 */
export function ensureConsoleBuilt(log: (line: string) => void = console.warn): void {
  if (!consoleBuildIsStale()) return;
  log('\n[vigil] Building the console (vite build) for the browser tests…\n');
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: ROOT,
      // vitest sets NODE_ENV=test, which would give a development build of React: test what users get.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

/**
 * Whether this vitest run includes the end-to-end suites: a run without
 * file filters runs everything; otherwise a filter must name test/e2e.
 * (An option's value may pass for a filter; then the suites build for
 * themselves in beforeAll.)
 */
export function runIncludesE2e(argv: string[] = process.argv): boolean {
  const runAt = argv.indexOf('run');
  const filters = argv.slice(runAt + 1).filter((arg) => !arg.startsWith('-'));
  return filters.length === 0 || filters.some((arg) => arg.includes('e2e'));
}
