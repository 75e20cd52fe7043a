/**
 * The demo's signal files (demo/signals/), in the senders' own formats, and
 * how their times are moved to the present: detection windows, response
 * clocks and the board all count from now, so a demo recorded in the past
 * would open incidents that are already late.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the project keeps the demo's files. */
export const DEMO_SIGNALS_DIR = fileURLToPath(new URL('../../demo/signals/', import.meta.url));

/** One file to ingest: named `<order>-<source>.<json|jsonl>`. */
export interface DemoFile {
  name: string;
  source: string;
  contentType: string;
  body: string;
}

const FILE_NAME = /^\d+-([a-z][a-z0-9-]*)\.(json|jsonl)$/;

/** The demo files in their order, read whole (they are a few kilobytes). */
export function readDemoFiles(dir: string = DEMO_SIGNALS_DIR): DemoFile[] {
  return fs
    .readdirSync(dir)
    .filter((name) => FILE_NAME.test(name))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((name) => {
      const [, source, ext] = FILE_NAME.exec(name)!;
      return {
        name,
        source: source!,
        contentType: ext === 'jsonl' ? 'application/x-ndjson' : 'application/json',
        body: fs.readFileSync(path.join(dir, name), 'utf8'),
      };
    });
}

/** ISO 8601 instants in UTC as senders write them, with any number of fractional digits. */
const INSTANT = /\b(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z\b/g;

/** Alertmanager writes `0001-01-01T00:00:00Z` for "no end": such placeholders are not times. */
const isRealYear = (year: string) => Number(year) >= 2000;

function instantsOf(text: string): number[] {
  return [...text.matchAll(INSTANT)].filter((m) => isRealYear(m[1]!)).map((m) => Date.parse(m[0]));
}

/** Writes an instant back with as many fractional digits as the original had. */
function formatLike(ms: number, fraction: string | undefined): string {
  const iso = new Date(ms).toISOString(); // 2026-03-03T01:40:05.123Z
  const seconds = iso.slice(0, 19);
  if (!fraction) return `${seconds}Z`;
  const digits = fraction.length - 1;
  const millis = iso.slice(20, 23);
  return `${seconds}.${millis.padEnd(digits, '0').slice(0, digits)}Z`;
}

/**
 * Shifts every instant in the files by one offset so the latest lands
 * up to `leadMs` (and a second) before `now`, keeping the gaps between
 * events (what detection counts) as recorded, to the millisecond.
 */
export function moveToPresent(files: readonly DemoFile[], now: Date, leadMs = 60_000): DemoFile[] {
  const latest = Math.max(...files.flatMap((f) => instantsOf(f.body)));
  if (!Number.isFinite(latest)) return [...files];
  // Whole seconds, so instants written without a fraction stay exact.
  const offset = Math.floor((now.getTime() - leadMs - latest) / 1000) * 1000;
  return files.map((file) => ({
    ...file,
    body: file.body.replace(INSTANT, (whole, year: string, ...rest: unknown[]) =>
      isRealYear(year) ? formatLike(Date.parse(whole) + offset, rest[5] as string | undefined) : whole,
    ),
  }));
}
