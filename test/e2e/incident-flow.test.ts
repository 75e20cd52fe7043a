import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type BrowserVigil,
  type ConsoleTab,
  describeWithBrowser,
  launchChromium,
  openTab,
  screenshot,
  signInWithPassword,
  startBrowserVigil,
} from '../support/browser.ts';
import { ensureConsoleBuilt } from '../support/console-build.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const ADMIN_EMAIL = 'admin@localhost';
const ADMIN_PASSWORD = 'copper kettle morning 19';

/**
 * Issue #10's end-to-end scenario, in Chromium against a real server on a
 * fresh SQLite database: declare, acknowledge, move through phases with a
 * checklist override, see a clock turn at risk on the fake server clock
 * without a reload, send a customer update to a real SMTP sink, attach
 * evidence, and no console errors along the way. The steps run in order
 * and share one signed-in tab.
 */
describeWithBrowser('an incident worked end to end in the console [sqlite]', () => {
  let browser: Browser;
  let v: BrowserVigil;
  let tab: ConsoleTab;
  let page: Page;
  let incident: Json;
  const customer = { name: 'Northwind Traders', contact: 'mia.chen@northwind.example' };

  const api = <T = Json>(method: string, path: string, body?: unknown) => v.api<T>(method, path, body);
  const reload = async () => (incident = await api('GET', `/api/v1/incidents/${incident.id}`));

  beforeAll(async () => {
    ensureConsoleBuilt();
    // Sessions outlive the hours the fake clock jumps, as a responder's would be renewed by use.
    [browser, v] = await Promise.all([
      launchChromium(),
      startBrowserVigil({ signIn: { sessionIdleMs: 3 * 86_400_000, sessionAbsoluteMs: 7 * 86_400_000 } }),
    ]);
    const users = await api<{ items: Json[] }>('GET', '/api/v1/users');
    const admin = users.items.find((u) => u.email === ADMIN_EMAIL)!;
    await api('PUT', `/api/v1/users/${admin.id}/password`, { password: ADMIN_PASSWORD });
    await api('POST', '/api/v1/customers', {
      name: customer.name,
      contacts: [{ name: 'Mia Chen', email: customer.contact, role: 'security' }],
    });
    tab = await openTab(browser, v.url);
    page = tab.page;
    await signInWithPassword(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await v?.stop();
  });

  it('declares an incident from the board and lands on its page', async () => {
    const title = 'Password guessing against the billing database';
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('button', { name: 'Declare an incident' }).click();
    const form = page.getByRole('form', { name: 'Declare an incident' });
    await form.getByLabel('Title').fill(title);
    await form.getByLabel('Severity').selectOption('critical');
    await form
      .getByLabel('What is known so far')
      .fill('Many failed sign-ins for svc_dbadmin from one address, then a success.');
    await form.getByRole('button', { name: 'Declare' }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: title }).waitFor();
    const listed = await api<{ items: Json[] }>('GET', '/api/v1/incidents');
    incident = listed.items.find((i) => i.title === title)!;
    expect(incident).toMatchObject({ severity: 'critical', phase: 'identify' });
    expect(new URL(page.url()).pathname).toBe(`/incidents/${incident.reference}`);
    // And the board lists it.
    await page.getByRole('link', { name: '← All open incidents' }).click();
    await page.getByRole('link', { name: incident.reference }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: title }).waitFor();
  });

  it('acknowledges it', async () => {
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor({ state: 'detached' });
    await expect.poll(async () => (await reload()).acknowledgedAt).not.toBeNull();
    await expect.poll(() => clockText(page, 'Acknowledge')).toContain('Met');
  });

  it('moves it through phases, overriding an unchecked mandatory checklist', async () => {
    const lifecycle = (await api('GET', '/api/v1/policy')).policy.lifecycle.phases.map((p: Json) => p.id);
    const phase = page.getByRole('region', { name: 'Phase' });
    // Two moves forward: into containment, then out of it with its mandatory checklist unchecked.
    for (let step = 0; step < 2; step++) {
      const current = (await reload()).phase as string;
      const next = lifecycle[lifecycle.indexOf(current) + 1];
      await phase.getByLabel('Move to').selectOption(next);
      await phase.getByRole('button', { name: 'Change phase' }).click();
      const override = phase.getByRole('checkbox', { name: /Move on anyway/ });
      const moved = async () => (await reload()).phase === next;
      await expect.poll(async () => (await moved()) || (await override.isVisible())).toBe(true);
      if (!(await moved())) {
        // Refused (409) for the unchecked mandatory items: the page offers the override, with a reason.
        await override.check();
        await phase
          .getByLabel(/^Reason/)
          .fill('Access already restricted at the firewall; the rest follows.');
        await phase.getByRole('button', { name: 'Change phase' }).click();
        await expect.poll(moved).toBe(true);
        expect(tab.failedRequests).toContain(`409 POST /api/v1/incidents/${incident.id}/phase`);
      }
    }
    const timeline = await api<{ items: Json[] }>('GET', `/api/v1/incidents/${incident.id}/timeline`);
    expect(JSON.stringify(timeline.items)).toMatch(/override/i);
  });

  it('shows a clock turning at risk on the server clock, without a reload', async () => {
    const [name, clock] = Object.entries((await reload()).sla as Record<string, Json | null>).find(
      ([, c]) => c?.state === 'pending' && c.dueAt,
    )!;
    // A minute before it is due, any clock is past the policy's at-risk share of its time.
    v.t.clock.set(new Date(Date.parse(clock!.dueAt) - 60_000).toISOString());
    await v.t.vigil.engine.runCycle();
    expect((await reload()).sla[name].state).toBe('at_risk');
    // A reload would start a new document: its time origin would move.
    const navigations = () => page.evaluate('performance.timeOrigin') as Promise<number>;
    const before = await navigations();
    await expect.poll(() => clockText(page, label(name)), { timeout: 15_000 }).toContain('At risk');
    expect(await navigations()).toBe(before);
  });

  it('sends a customer update through to the SMTP server', async () => {
    const link = page.getByRole('form', { name: 'Link a customer' });
    await link.getByLabel('Customer').selectOption({ label: customer.name });
    await link.getByLabel('Reason').fill('Their invoices live in the billing database.');
    await link.getByRole('button', { name: 'Link as affected' }).click();
    await expect.poll(async () => (await reload()).affectedCustomers.length).toBe(1);

    // Customer messages need the approval of the incident's communications lead (the policy's approvers).
    const roles = page.getByRole('form', { name: 'Assign a role' });
    await roles.getByLabel('Role').selectOption('communications_lead');
    await roles.getByLabel("Person's email").fill(ADMIN_EMAIL);
    await roles.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(async () => JSON.stringify((await reload()).roles)).toContain('communications_lead');

    await page.getByRole('button', { name: 'Draft a message' }).click();
    const composer = page.getByRole('form', { name: 'Draft a message' });
    await composer.getByLabel('Audience').selectOption('customers');
    await composer
      .getByLabel('What we are doing')
      .fill('We have blocked the address and reset the password.');
    const whatYouShouldDo = composer.getByLabel('What you should do');
    if (await whatYouShouldDo.count()) await whatYouShouldDo.fill('Nothing for now; we will write again.');
    await composer.getByRole('checkbox', { name: customer.name }).check();
    await composer.getByRole('button', { name: 'Save draft' }).click();
    const approve = page.getByRole('button', { name: 'Approve' });
    await page.getByRole('button', { name: 'Send' }).waitFor();
    if (await approve.isVisible()) {
      await approve.click();
      await approve.waitFor({ state: 'detached' });
    }
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(
        async () => {
          await v.t.vigil.engine.runCycle();
          return v.smtp.messages.flatMap((m) =>
            (Array.isArray(m.to) ? m.to : [m.to]).map((a) => a?.text ?? ''),
          );
        },
        { timeout: 15_000 },
      )
      .toContainEqual(expect.stringContaining(customer.contact));
  });

  it('attaches evidence', async () => {
    const content = Buffer.from('2026-11-27 02:10:31 DBAF svc_dbadmin 198.51.100.77\n');
    const form = page.getByRole('form', { name: 'Attach a file' });
    await form
      .getByLabel('File')
      .setInputFiles({ name: 'failed-logins.txt', mimeType: 'text/plain', buffer: content });
    await form.getByLabel('Description').fill('Failed sign-ins exported from the SQL audit log');
    await form.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Attached failed-logins.txt').waitFor();
    const evidence = await api<{ items: Json[] }>('GET', `/api/v1/incidents/${incident.id}/evidence`);
    expect(evidence.items.map((e) => e.filename)).toContain('failed-logins.txt');
    await page.evaluate('scrollTo(0, 0)');
    await screenshot(page, 'incident', { fullPage: false });
  });

  it('logged no console errors and threw nothing on the way', () => {
    tab.expectNoProblems();
    // The only refused requests are expected ones: "is anyone signed in?" before sign-in, and the
    // phase move before its override.
    const unexpected = tab.failedRequests.filter(
      (r) => r !== '401 GET /auth/session' && !/^409 POST .*\/phase$/.test(r),
    );
    expect(unexpected, tab.failedRequests.join('\n')).toEqual([]);
  });
});

const CLOCK_LABELS: Record<string, string> = {
  acknowledge: 'Acknowledge',
  triage: 'Triage',
  containment: 'Containment',
  customerUpdate: 'Customer update',
};
const label = (name: string) => CLOCK_LABELS[name] ?? name;

/** The text of a clock's badge in the incident header (`Triage: At risk · 4 min`). */
async function clockText(page: Page, name: string): Promise<string> {
  const badge = page
    .getByRole('region', { name: 'Clocks' })
    .getByText(new RegExp(`^${name}:`))
    .locator('xpath=..');
  return (await badge.count()) ? ((await badge.first().textContent()) ?? '') : '';
}
