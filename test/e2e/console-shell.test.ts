import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type BrowserVigil,
  createResponder,
  describeWithBrowser,
  launchChromium,
  openTab,
  signInWithPassword,
  signInWithToken,
  startBrowserVigil,
} from '../support/browser.ts';
import { ensureConsoleBuilt } from '../support/console-build.ts';

/**
 * The console in a real Chromium against a real Vigil: it loads under its
 * strict CSP, both ways of signing in work, and every page renders without
 * a console error. SQLite only (see startBrowserVigil).
 */
describeWithBrowser('the console in Chromium [sqlite]', () => {
  let browser: Browser;
  let v: BrowserVigil;

  beforeAll(async () => {
    ensureConsoleBuilt();
    [browser, v] = await Promise.all([launchChromium(), startBrowserVigil()]);
  });

  afterAll(async () => {
    await browser?.close();
    await v?.stop();
  });

  it('serves the built app under its content security policy', async () => {
    const tab = await openTab(browser, v.url);
    const response = await tab.page.goto('/');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(tab.page.title()).resolves.toBe('Vigil');
    await tab.page.locator('#root *').first().waitFor();
    tab.expectNoProblems();
    await tab.close();
  });

  it('signs in with a pasted API token and shows every page without errors', async () => {
    const tab = await openTab(browser, v.url);
    await signInWithToken(tab.page);
    const nav = tab.page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Signals', 'Actions', 'Exercises', 'Reports', 'Compliance', 'Policy', 'Incidents']) {
      await nav.getByRole('link', { name }).click();
      await expect.poll(() => nav.getByRole('link', { name }).getAttribute('aria-current')).toBe('page');
      await tab.page.getByRole('heading', { level: 1 }).first().waitFor();
    }
    await tab.page.goto('/no-such-page');
    await tab.page.getByRole('heading', { name: 'Page not found' }).waitFor();
    tab.expectNoProblems();
    await tab.close();
  });

  it('signs in with an email and password through the sign-in form', async () => {
    await createResponder(v, {
      email: 'rui@example.com',
      name: 'Rui Costa',
      password: 'quiet harbour lamp 42',
    });
    const tab = await openTab(browser, v.url);
    await signInWithPassword(tab.page, 'rui@example.com', 'quiet harbour lamp 42');
    await expect(tab.page.getByText('Rui Costa')).toBeTruthy();
    await tab.page.getByText('Rui Costa').first().waitFor();
    tab.expectNoProblems();
    await tab.close();
  });
});
