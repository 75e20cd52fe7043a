import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type BrowserVigil,
  type ConsoleTab,
  describeWithBrowser,
  launchChromium,
  openTab,
  screenshot,
  signInWithToken,
  startBrowserVigil,
} from '../support/browser.ts';
import { ensureConsoleBuilt } from '../support/console-build.ts';

/**
 * A new installation in Chromium: the board explains Vigil and offers the
 * demo; loading it runs the shipped signals through detection, and the
 * board, signals and reports pages show what it opened. Also where the
 * board and signals screenshots come from. SQLite only (see startBrowserVigil).
 */
describeWithBrowser('first run and the demo in the console [sqlite]', () => {
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

  it('offers the demo on an empty board and shows the incidents detection opened', async () => {
    const { page } = tab;
    await page.getByRole('heading', { name: 'Welcome to Vigil' }).waitFor();
    await page.getByRole('button', { name: 'Load demo data' }).click();
    // The panel answers with what detection opened, until the board's next refresh lists it instead.
    await expect
      .poll(async () => (await v.api<{ items: unknown[] }>('GET', '/api/v1/incidents')).items.length)
      .toBeGreaterThanOrEqual(2);
    const incidents = (
      await v.api<{ items: { reference: string; title: string }[] }>('GET', '/api/v1/incidents')
    ).items;
    // Back on the board, the incidents are listed (the first-run panel is gone).
    await page.goto('/incidents');
    for (const i of incidents) await page.getByRole('link', { name: i.reference }).waitFor();
    expect(await page.getByRole('heading', { name: 'Welcome to Vigil' }).count()).toBe(0);
    await screenshot(page, 'board');
  });

  it('lists the demo signals with the rule that fired on them, filtered in the URL', async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signals' }).click();
    await page.getByLabel('Source').selectOption('defender');
    await expect.poll(() => new URL(page.url()).searchParams.get('source')).toBe('defender');
    const rows = page.getByRole('row');
    await expect.poll(() => rows.count()).toBe(2); // the header and the one Defender alert
    await page.getByLabel('Source').selectOption('sql-audit');
    await page.getByText('by Brute-force login').first().waitFor();
    await screenshot(page, 'signals', { fullPage: false });
  });

  it('draws the reports charts, loading the charting code only there', async () => {
    const { page } = tab;
    // Acknowledged, the demo incidents give the charts a met target and a time to acknowledge.
    for (const i of (await v.api<{ items: { id: string }[] }>('GET', '/api/v1/incidents')).items) {
      await v.api('POST', `/api/v1/incidents/${i.id}/acknowledge`, {});
    }
    const scripts: string[] = [];
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('img', { name: /share of response targets met/ }).waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    expect(scripts.some((s) => /ReportCharts/.test(s))).toBe(true);
    await page.getByRole('heading', { name: 'Incidents by source' }).waitFor();
  });

  it('shows the policy, compliance and an unknown path without errors', async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy' }).click();
    await page.getByRole('cell', { name: /Brute-force login/ }).waitFor();
    await page.getByText('in force', { exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compliance' }).click();
    await page.getByRole('heading', { name: 'Response clocks' }).waitFor();
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    tab.expectNoProblems();
    // Only the console's question "is anyone signed in?" before the token was pasted.
    expect(tab.failedRequests.filter((r) => r !== '401 GET /auth/session')).toEqual([]);
  });

  it('reads at 390 px wide: no page is wider than the screen', async () => {
    const narrow = await openTab(browser, v.url, { width: 390, height: 844 });
    await signInWithToken(narrow.page);
    for (const [path, heading] of [
      ['/signals', 'Signals'],
      ['/actions', 'Actions'],
      ['/exercises', 'Exercises'],
      ['/reports', 'Reports'],
      ['/compliance', 'Compliance'],
      ['/policy', 'Policy'],
    ]) {
      await narrow.page.goto(path!);
      await narrow.page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
      await narrow.page
        .getByRole('status')
        .filter({ hasText: /Loading/ })
        .waitFor({ state: 'detached' });
      // Wide tables scroll inside their own box; the page itself never scrolls sideways.
      const overflow = (await narrow.page.evaluate(
        'document.documentElement.scrollWidth - innerWidth',
      )) as number;
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    narrow.expectNoProblems();
    await narrow.close();
  });
});
