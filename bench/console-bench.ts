/**
 * The web console: how fast the board shows its first page with 5,000 open
 * incidents, and how much JavaScript a first visit downloads.
 *
 * - A real Vigil (the composition root, the built-in policy, a fresh SQLite
 *   file) seeded with 5,000 open incidents by the incidents-at-scale seeding,
 *   serving the built console on 127.0.0.1. Debian's Chromium opens the board
 *   in a fresh profile each run (nothing cached), signed in by an API token;
 *   the figure is the page's own clock (`performance.now()`, from the start of
 *   navigation) when the first page of incidents is in the table. Target:
 *   under 1 s.
 * - The scripts index.html loads (its module script and modulepreloads),
 *   gzipped at level 9 as a server or proxy would send them. Target: under
 *   300 KB. Pages and the charting library load later, on demand.
 *
 * Without Chromium the board figure is skipped, saying why. Run alone with
 * `npx tsx bench/console-bench.ts`, or through bench/run.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path, { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { VIGIL_VERSION } from '../src/app/version.ts';
import { createVigil, type Vigil } from '../src/app/vigil.ts';
import { FakeClock } from '../src/platform/clock.ts';
import {
  CHROMIUM_BIN,
  CONSOLE_DIST,
  chromiumMissingReason,
  ensureConsoleBuilt,
} from '../test/support/console-build.ts';
import { ADMIN_TOKEN, NOW, seed } from './incident-scale-bench.ts';

const INCIDENTS = 5_000;
const RUNS = 10;
const WARMUPS = 2;
const TARGET_BOARD_MS = 1_000;
const TARGET_INITIAL_JS_KB = 300;

/** The scripts a first visit downloads before any page: what index.html names. */
export function initialScripts(dist = CONSOLE_DIST): { file: string; bytes: number; gzipped: number }[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const srcs = [
    ...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1]!);
  return [...new Set(srcs)].map((src) => {
    const content = readFileSync(path.join(dist, src.replace(/^\//, '')));
    return { file: src, bytes: content.length, gzipped: gzipSync(content, { level: 9 }).length };
  });
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

const FIFTIETH_LINK = 'table a[href^="/incidents/INC-"] >> nth=49';

/** Runs in the page before its scripts: records `performance.now()` when 50 incident links are in a table. */
const RENDERED_PROBE = `new MutationObserver((_, observer) => {
  if (document.querySelectorAll('table a[href^="/incidents/INC-"]').length >= 50) {
    window.__vigilBoardRenderedAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });`;

async function boardTimings(url: string): Promise<number[]> {
  // Loaded only when Chromium is there: playwright-core is a development dependency.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const samples: number[] = [];
  try {
    for (let run = 0; run < WARMUPS + RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      // The console keeps a pasted token in sessionStorage; put it there before the first script runs.
      await context.addInitScript({
        content: `sessionStorage.setItem('vigil.token', ${JSON.stringify(ADMIN_TOKEN)})`,
      });
      // The page notes the moment the table holds the first page; waiting from outside would add
      // Playwright's polling intervals to the figure.
      await context.addInitScript({ content: RENDERED_PROBE });
      const page = await context.newPage();
      await page.goto(`${url}/incidents`);
      await page.locator(FIFTIETH_LINK).waitFor({ timeout: 30_000 });
      const at = (await page.evaluate('window.__vigilBoardRenderedAt')) as number;
      if (run >= WARMUPS) samples.push(at);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return samples.sort((a, b) => a - b);
}

async function startServer(dir: string): Promise<{ vigil: Vigil; url: string }> {
  const vigil = await createVigil({
    databaseUrl: `sqlite:${path.join(dir, 'vigil.db')}`,
    policyPath: undefined,
    clock: new FakeClock(new Date(NOW)),
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    version: VIGIL_VERSION,
    selfWatching: false,
  });
  await vigil.identity.bootstrapAdmin({ email: 'admin@localhost', presetToken: ADMIN_TOKEN });
  await vigil.http.listen({ port: 0, host: '127.0.0.1' });
  return { vigil, url: `http://127.0.0.1:${(vigil.http.server.address() as AddressInfo).port}` };
}

/** Runs the console benchmark and returns a markdown report. */
export async function runConsoleBench(): Promise<string> {
  ensureConsoleBuilt((line) => process.stderr.write(line));
  const scripts = initialScripts();
  const gzipped = scripts.reduce((n, s) => n + s.gzipped, 0);
  const lines = [
    '| initial script | bytes | gzipped |',
    '|---|---|---|',
    ...scripts.map((s) => `| ${s.file} | ${kb(s.bytes)} KB | ${kb(s.gzipped)} KB |`),
    '',
    `- ${verdict(gzipped / 1024 < TARGET_INITIAL_JS_KB)}: initial JavaScript ${kb(gzipped)} KB gzipped (target < ${TARGET_INITIAL_JS_KB} KB).`,
  ];
  const missing = chromiumMissingReason();
  if (missing) return [...lines, `- SKIPPED: the board's first render (${missing}).`].join('\n');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-console-bench-'));
  const { vigil, url } = await startServer(dir);
  try {
    const seeded = await seed(vigil, INCIDENTS);
    const samples = await boardTimings(url);
    const median = samples[Math.floor(samples.length / 2)]!;
    const worst = samples.at(-1)!;
    return [
      ...lines,
      `- ${verdict(median < TARGET_BOARD_MS)}: the board's first page (50 incidents) rendered ${median.toFixed(0)} ms after navigation started (median of ${RUNS} cold loads after ${WARMUPS} warm-ups; slowest ${worst.toFixed(0)} ms; target < ${TARGET_BOARD_MS} ms), with ${INCIDENTS.toLocaleString('en-GB')} open incidents (${seeded.breached} with a breached clock) on SQLite.`,
      '',
      `Chromium ${CHROMIUM_BIN}, headless, 1280×900, a fresh profile per load, server and browser on one machine (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}).`,
    ].join('\n');
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await runConsoleBench());
}
