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
import { seededRandom } from '../support/seeded-random.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/**
 * The reports page over half a year of history: incidents declared month
 * by month on the fake server clock (which only moves forward), answered
 * sooner or later, some closed as false positives, then the clock brought
 * to the present and the charts drawn. SQLite only; also the README's
 * reports screenshot.
 */
describeWithBrowser('the reports page over six months of incidents [sqlite]', () => {
  let browser: Browser;
  let v: BrowserVigil;
  let tab: ConsoleTab;
  const now = Date.now();

  beforeAll(async () => {
    ensureConsoleBuilt();
    [browser, v] = await Promise.all([
      launchChromium(),
      startBrowserVigil({ now: new Date(now - 165 * DAY).toISOString() }),
    ]);
    await seedHistory(v, now);
    tab = await openTab(browser, v.url);
    await signInWithToken(tab.page);
  }, 120_000);

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await v?.stop();
  });

  it('draws compliance, response times and sources month by month', async () => {
    const { page } = tab;
    await page.goto('/reports?months=6');
    for (const name of [
      /share of response targets met/,
      /minutes to acknowledge and to resolve/,
      /incidents per month/,
    ]) {
      await page.getByRole('img', { name }).waitFor();
    }
    // A point or bar per month with data: recharts draws each as its own element.
    await expect
      .poll(() => page.locator('.recharts-line-dots circle, .recharts-line-dot').count())
      .toBeGreaterThan(6);
    await expect.poll(() => page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(3);
    await page.getByText(/\d+ incidents in the period/).waitFor();
    await screenshot(page, 'reports');
    tab.expectNoProblems();
  });
});

/** A few incidents a week for five months, acknowledged after a varying delay; some are false positives. */
async function seedHistory(v: BrowserVigil, until: number): Promise<void> {
  const random = seededRandom(20261127);
  const clock = v.t.clock;
  let at = clock.now().getTime();
  let n = 0;
  while (at < until - 5 * DAY) {
    const severity = SEVERITIES[Math.floor(random() * SEVERITIES.length)]!;
    const incident = await v.api<{ id: string }>('POST', '/api/v1/incidents', {
      title: `Practice incident ${++n}`,
      description: 'Seeded to give the reports a history.',
      severity,
    });
    // Most are acknowledged within their target; a few are left too long.
    at += (random() < 0.8 ? 5 + random() * 10 : 90 + random() * 240) * MINUTE;
    clock.set(new Date(at).toISOString());
    await v.api('POST', `/api/v1/incidents/${incident.id}/acknowledge`, {});
    at += (10 + random() * 60) * MINUTE;
    clock.set(new Date(at).toISOString());
    const decision = random() < 0.4 ? 'false_positive' : 'confirmed';
    await v.api('POST', `/api/v1/incidents/${incident.id}/triage`, { decision, reason: 'Seeded history.' });
    at += (1 + random() * 4) * DAY;
    clock.set(new Date(at).toISOString());
  }
  clock.set(new Date(until).toISOString());
}
