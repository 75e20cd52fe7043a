import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type BrowserVigil,
  type ConsoleTab,
  describeWithBrowser,
  launchChromium,
  openTab,
  signInWithToken,
  startBrowserVigil,
} from '../support/browser.ts';
import { ensureConsoleBuilt } from '../support/console-build.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

/**
 * The exercises and actions pages in Chromium: plan a tabletop exercise,
 * run it live by uploading a signal file, record its findings, then move
 * the action it produced on from the actions page. SQLite only.
 */
describeWithBrowser('exercises and actions in the console [sqlite]', () => {
  let browser: Browser;
  let v: BrowserVigil;
  let tab: ConsoleTab;

  beforeAll(async () => {
    ensureConsoleBuilt();
    [browser, v] = await Promise.all([launchChromium(), startBrowserVigil()]);
    tab = await openTab(browser, v.url);
    await signInWithToken(tab.page);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await v?.stop();
  });

  it('plans an exercise, runs it live from an uploaded signal file and records its findings', async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exercises' }).click();
    const plan = page.getByRole('form', { name: 'Schedule an exercise' });
    await plan.getByLabel('Title').fill('Password guessing on the billing database');
    await plan.getByLabel('Date').fill('2026-12-03');
    await plan.getByLabel('Facilitator (email)').fill('cto@example.com');
    await plan.getByLabel(/Participants/).fill('cpo@example.com, head-of-engineering@example.com');
    await plan
      .getByLabel('Scenario')
      .fill('Fourteen failed logins for svc_dbadmin, then a success and a role change.');
    await plan.getByRole('button', { name: 'Schedule' }).click();
    const card = page.getByRole('article', { name: 'Password guessing on the billing database' });
    await card.waitFor();

    const run = card.getByRole('form', { name: /Run .* live/ });
    await run.getByLabel('Signal file').setInputFiles({
      name: 'sql-audit.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: readFileSync(new URL('../../demo/signals/1-sql-audit.jsonl', import.meta.url)),
    });
    await run.getByLabel('Format').selectOption('sql-audit');
    await run.getByRole('button', { name: 'Start the live run' }).click();
    const opened = card.getByRole('status').filter({ hasText: /Exercise incident INC-\d+ opened/ });
    await opened.waitFor();
    expect(await opened.textContent()).toMatch(/\d+ signals replayed, [1-9]\d* firings/);

    const findings = card.getByRole('form', { name: /Record findings/ });
    await findings.getByLabel('Findings').fill('Nobody knew who could block an address at the SQL firewall.');
    await findings.getByRole('button', { name: 'Mark as held' }).click();
    await card.getByText(/^Held on \d{4}-\d{2}-\d{2}$/).waitFor();
    const exercises = await v.api<{ items: Json[] }>('GET', '/api/v1/exercises');
    expect(exercises.items[0]).toMatchObject({ status: 'completed' });
  });

  it('moves an action on from the actions page, filtered by status in the URL', async () => {
    const { page } = tab;
    const exercise = (await v.api<{ items: Json[] }>('GET', '/api/v1/exercises')).items[0]!;
    await v.api('POST', `/api/v1/exercises/${exercise.id}/actions`, {
      title: 'Write down who may change the SQL firewall',
      kind: 'preventive',
      owner: 'admin@localhost',
      dueDate: '2026-12-18',
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Actions' }).click();
    await page.getByLabel('Status', { exact: true }).selectOption('open');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('open');
    const row = page.getByRole('row').filter({ hasText: 'Write down who may change the SQL firewall' });
    await row.getByLabel(/New status for/).selectOption('in_progress');
    await row.getByRole('button', { name: 'Update' }).click();
    await expect
      .poll(async () => (await v.api<{ items: Json[] }>('GET', '/api/v1/actions')).items[0]?.status)
      .toBe('in_progress');
    tab.expectNoProblems();
    expect(tab.failedRequests.filter((r) => r !== '401 GET /auth/session')).toEqual([]);
  });
});
