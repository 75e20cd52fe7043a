import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, policyVariant } from '../policy/fixtures/policy-variants.ts';
import { type LoadedPolicy, parsePolicy } from '../policy/policy-loader.ts';
import { buildTrustDocument } from './trust-document.ts';
import { escapeHtml, renderTrustHtml, TRUST_STYLE, trustStyleHash } from './trust-html.ts';
import { escapeMarkdown, renderTrustMarkdown } from './trust-markdown.ts';

function load(text: string): LoadedPolicy {
  const result = parsePolicy(text, 'policy.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy;
}

const html = (text: string) => renderTrustHtml(buildTrustDocument(load(text)));
const markdown = (text: string) => renderTrustMarkdown(buildTrustDocument(load(text)));

/** The row of the response targets table whose heading cell is `severity`. */
function targetRow(page: string, severity: string): string {
  const match = new RegExp(`<tr><th scope="row">${severity}</th>(.*?)</tr>`).exec(page);
  if (!match) throw new Error(`no row for ${severity}`);
  return match[1]!;
}

describe('trust-centre page from the default policy', () => {
  const page = html(DEFAULT_TEXT);

  it("shows each severity's response targets in its own row", () => {
    expect(targetRow(page, 'Critical')).toBe(
      '<td>15 minutes (around the clock); out of hours 60 minutes (around the clock)</td>' +
        '<td>30 minutes (around the clock); out of hours 90 minutes (around the clock)</td>' +
        '<td>4 hours (around the clock)</td><td>4 hours (around the clock)</td>' +
        '<td>every 4 hours (around the clock)</td>',
    );
    expect(targetRow(page, 'High')).toContain(
      '<td>1 hour (business time)</td><td>2 hours (business time)</td>',
    );
    expect(targetRow(page, 'Medium')).toContain('within 4 hours (business time) of each change of phase');
    expect(targetRow(page, 'Low')).toContain('<td>10 days (business time)</td><td>none scheduled');
  });

  it('states the breach, retention, review, exercise and request commitments', () => {
    expect(page).toContain(
      'We notify the Information Commissioner&#39;s Office (ICO) within 72 hours (around the clock) of becoming aware of it',
    );
    expect(page).toContain('We tell the people affected without undue delay');
    expect(page).toContain('when the breach is likely to put them at high risk');
    expect(page).toContain('Raw security telemetry (log events and alerts): 30 days after we receive it');
    expect(page).toContain('24 months after the incident is closed');
    expect(page).toContain('A legal hold placed on an incident stops all deletion');
    expect(page).toContain('whose severity was at any point Critical or High');
    expect(page).toContain('at least once every 12 months');
    expect(page).toContain('within 10 days (business time) of receiving it');
    expect(page).toContain('The link stops working 14 days after it is sent');
    expect(page).toContain(
      'Monday, Tuesday, Wednesday, Thursday and Friday, 09:00 to 17:00, Europe/London time',
    );
    expect(page).toContain('Public holidays of GB-ENG are not business days');
  });

  it('names the policy version it was rendered from and offers the request form', () => {
    const version = load(DEFAULT_TEXT).version;
    expect(page).toContain(`Rendered from policy version <code>${version}</code>`);
    expect(page).toContain('<form method="post" action="/trust/evidence-requests"');
    for (const name of ['name', 'organisation', 'email', 'need', 'incident', 'periodFrom', 'periodTo']) {
      expect(page).toContain(`name="${name}"`);
    }
  });

  it('is self-contained: one style block, no script, and its CSP hash covers the exact style text', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page.match(/<style>/g)).toHaveLength(1);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1];
    expect(style).toBe(TRUST_STYLE);
    const digest = createHash('sha256').update(style!, 'utf8').digest('base64');
    expect(trustStyleHash()).toBe(`'sha256-${digest}'`);
    expect(TRUST_STYLE).toContain('@media print');
  });

  it('renders the same facts as Markdown', () => {
    const md = markdown(DEFAULT_TEXT);
    expect(md).toMatch(/^# Example Ltd: security incident response\n/);
    expect(md).toContain(
      '| Critical | 15 minutes (around the clock); out of hours 60 minutes (around the clock) |',
    );
    expect(md).toContain('30 days after we receive it');
    expect(md).toContain('24 months after the incident is closed');
    expect(md).toContain('`/trust/evidence-requests`');
  });
});

describe('a changed policy changes the page', () => {
  const changed = policyVariant(
    ['within: 15 minutes', 'within: 5 minutes'],
    ['    name: Critical\n', '    name: Sev One\n'],
    ['telemetry: { keep: 30 days', 'telemetry: { keep: 45 days'],
    ['evidence: { keep: 24 months', 'evidence: { keep: 36 months'],
    ['requiredForSeverities: [critical, high]', 'requiredForSeverities: [critical]'],
    ['  every: 12 months', '  every: 6 months'],
    [
      '          within: 72 hours\n          clock: wall\n          when: risk_to_rights',
      '          within: 48 hours\n          clock: wall\n          when: risk_to_rights',
    ],
  );
  const before = html(DEFAULT_TEXT);
  const after = html(changed);

  it('shows the new values and none of the old', () => {
    expect(targetRow(after, 'Sev One')).toMatch(/^<td>5 minutes \(around the clock\)/);
    expect(after).not.toContain('<th scope="row">Critical</th>');
    expect(after).toContain('45 days after we receive it');
    expect(after).not.toContain('30 days after we receive it');
    expect(after).toContain('36 months after the incident is closed');
    expect(after).toContain('whose severity was at any point Sev One.');
    expect(after).toContain('at least once every 6 months');
    expect(after).toContain('within 48 hours (around the clock) of becoming aware of it');
    expect(after).not.toContain('within 72 hours (around the clock) of becoming aware of it');
  });

  it('names the new policy version', () => {
    expect(load(changed).version).not.toBe(load(DEFAULT_TEXT).version);
    expect(after).toContain(load(changed).version);
    expect(before).not.toContain(load(changed).version);
  });
});

describe('escaping policy text', () => {
  const hostile = policyVariant(
    ['  name: Example Ltd', '  name: "Evil <script>alert(1)</script> & Co"'],
    [
      'A security-relevant event of little impact that still has to be tracked and put right.',
      '<img src=x onerror=alert(2)> "quoted" | piped **bold** [link](http://x)',
    ],
  );

  it('escapes every policy value in HTML', () => {
    const page = html(hostile);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(page).toContain('&lt;img src=x onerror=alert(2)&gt; &quot;quoted&quot;');
  });

  it('escapes every policy value in Markdown', () => {
    const md = markdown(hostile);
    expect(md).not.toContain('<script>');
    expect(md).toContain('Evil \\<script\\>alert(1)\\</script\\> \\& Co');
    expect(md).toContain('\\| piped \\*\\*bold\\*\\* \\[link\\](http://x)');
  });

  it('escapes the characters each format treats as markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeMarkdown('# heading')).toBe('\\# heading');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('two\nlines')).toBe('two lines');
  });
});
