import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import type { VigilOptions } from '../../src/app/vigil.ts';
import { CHROMIUM_BIN, chromiumMissingReason } from './console-build.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from './test-vigil.ts';

/** The flags a headless browser in a container needs, and none that phone home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Declares a suite that needs a real browser. Without Chromium it is
 * skipped, with the reason printed and in its name; on CI (CI=true) a
 * missing browser fails the file instead, as a missing PostgreSQL does.
 */
export function describeWithBrowser(name: string, suite: () => void): void {
  const reason = chromiumMissingReason();
  if (reason && process.env.CI === 'true') {
    throw new Error(
      `CI=true but ${reason}: the console's end-to-end suites must run on CI (.ci/run installs it)`,
    );
  }
  if (reason) console.warn(`\n[vigil] Browser suite is SKIPPED: ${reason}.\n`);
  describe.skipIf(reason !== null)(reason ? `${name} (skipped: ${reason})` : name, suite);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS });
}

/** A console page in a fresh browser context (its own empty profile: no cookies, no storage). */
export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Console errors (CSP violations included) and uncaught page errors seen so far, in order. */
  problems: string[];
  /** API answers with a 4xx or 5xx status, as `409 POST /api/v1/incidents/…/phase`, in order. */
  failedRequests: string[];
  /** Asserts the page logged no error and threw nothing. */
  expectNoProblems(): void;
  close(): Promise<void>;
}

/**
 * Chromium logs every 4xx or 5xx answer as a console error ("Failed to load
 * resource"), though the page asked for it and handled it (a 401 from
 * `/auth/session` before sign-in, a 409 the page explains). Those are kept
 * in `failedRequests`, where a test can say which ones it expects, and left
 * out of `problems`, which are the page's own errors.
 */
const HTTP_STATUS_LOG = /^Failed to load resource: the server responded with a status of \d{3}/;

export async function openTab(
  browser: Browser,
  baseUrl: string,
  options: { width?: number; height?: number } = {},
): Promise<ConsoleTab> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    // Instants show in the viewer's zone; pin it so screenshots and assertions are stable.
    timezoneId: 'Europe/London',
    locale: 'en-GB',
  });
  // Fail a step in seconds, with the locator named, rather than at the test's timeout.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error' || HTTP_STATUS_LOG.test(message.text())) return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const url = new URL(response.url());
    failedRequests.push(`${response.status()} ${response.request().method()} ${url.pathname}`);
  });
  return {
    context,
    page,
    problems,
    failedRequests,
    expectNoProblems: () => expect(problems, problems.join('\n')).toEqual([]),
    close: () => context.close(),
  };
}

/** A real Vigil listening on 127.0.0.1 for a browser, with a fake clock and a real SMTP sink. */
export interface BrowserVigil {
  t: TestVigil;
  url: string;
  smtp: SmtpSink;
  /** An authenticated API call as the admin, over the real listener. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * SQLite only: what the browser adds (the console) does not depend on the
 * database, and the API under it runs on both engines in test/integration.
 * The fake clock starts at the real time, so the browser's own clock and
 * the server's agree until a test advances the server's.
 */
export async function startBrowserVigil(
  options: { now?: string; publicUrl?: string; signIn?: VigilOptions['signIn'] } = {},
): Promise<BrowserVigil> {
  const smtp = await startSmtpSink();
  const t = await startTestVigil('sqlite', {
    now: options.now ?? new Date().toISOString(),
    smtp: { url: smtp.url, from: 'vigil@example.com' },
    publicUrl: options.publicUrl,
    signIn: options.signIn,
  });
  await t.vigil.http.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(t.vigil.http.server.address() as AddressInfo).port}`;
  async function api<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    t,
    url,
    smtp,
    api,
    async stop() {
      await t.stop();
      await smtp.stop();
    },
  };
}

/** A person with a password and a role, created by the admin over the API. */
export async function createResponder(
  v: BrowserVigil,
  user: { email: string; name: string; password: string; role?: string },
): Promise<string> {
  const created = await v.api<{ id: string }>('POST', '/api/v1/users', {
    email: user.email,
    name: user.name,
    ...(user.role ? { role: user.role } : {}),
  });
  await v.api('PUT', `/api/v1/users/${created.id}/password`, { password: user.password });
  return created.id;
}

/** Signs in through the console's own sign-in form, as a person would. */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Signs in by pasting an API token (the admin's, unless given), as an operator without a password would. */
export async function signInWithToken(page: Page, token = ADMIN_TOKEN): Promise<void> {
  await page.goto('/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Where the tests keep screenshots of the main pages for the README and the docs. */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../docs/screenshots');

/**
 * Saves a screenshot of the page, as wide as the tab (1280 px), as
 * docs/screenshots/<name>.png: the whole page, or with `fullPage: false`
 * what the window shows (long pages stay small files).
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}

export { CHROMIUM_BIN, chromiumMissingReason };
