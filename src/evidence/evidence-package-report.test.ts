import { describe, expect, it } from 'vitest';
import type { ClockView } from '../incident/incident-types.ts';
import { escapeHtml, reportHtml } from './evidence-package-html.ts';
import { reportPdf } from './evidence-package-pdf.ts';
import { clockOutcome, type ReportOutline, utc } from './evidence-package-report.ts';

const at = (iso: string) => new Date(iso);
const clock = (over: Partial<ClockView>): ClockView => ({
  kind: 'wall',
  startedAt: at('2026-04-07T09:00:00Z'),
  atRiskAt: at('2026-04-07T09:45:00Z'),
  dueAt: at('2026-04-07T10:00:00Z'),
  metAt: null,
  stoppedAt: null,
  state: 'pending',
  breaches: 0,
  ...over,
});

describe('clockOutcome', () => {
  it.each([
    [{ metAt: at('2026-04-07T09:59:59Z'), state: 'met' as const }, 'met'],
    [{ metAt: at('2026-04-07T10:00:01Z'), state: 'breached' as const }, 'met late (breached)'],
    [{ state: 'breached' as const }, 'breached (not met)'],
    [{ stoppedAt: at('2026-04-07T09:30:00Z') }, 'stopped before it was due'],
    [{ state: 'at_risk' as const }, 'open, at risk'],
    [{}, 'open'],
  ])('%o is %s', (over, expected) => {
    expect(clockOutcome(clock(over))).toBe(expected);
  });
});

const outline: ReportOutline = {
  title: 'INC-1: <script>alert(1)</script> & "quotes"',
  subtitle: 'Acme · Evidence package',
  sections: [
    {
      heading: 'Timeline',
      blocks: [
        { kind: 'facts', items: [['Owner', 'Olive <olive@example.com>']] },
        {
          kind: 'table',
          columns: ['At', 'What'],
          rows: [[utc(at('2026-04-07T09:00:00Z')), "it's <b>bold</b>"]],
        },
        { kind: 'text', text: 'plain' },
      ],
    },
  ],
};

describe('reportHtml', () => {
  it('escapes every value and carries no script or external resource', () => {
    const html = reportHtml(outline).toString();
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    expect(html).toContain('INC-1: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('<td>it&#39;s &lt;b&gt;bold&lt;/b&gt;</td>');
    expect(html).toContain('<td>2026-04-07 09:00:00 UTC</td>');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});

describe('reportPdf', () => {
  it('gives the same bytes for the same outline and instant, dated by that instant', async () => {
    const lastChange = at('2026-04-07T10:15:00Z');
    const a = await reportPdf(outline, lastChange);
    const b = await reportPdf(outline, lastChange);
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
    // pdfkit writes the date as an object of its own that /CreationDate refers to.
    const text = a.toString('latin1');
    const ref = /\/CreationDate (\d+) 0 R/.exec(text)?.[1];
    expect(text).toContain(`\n${ref} 0 obj\n(D:20260407101500Z)`);
    const later = await reportPdf(outline, at('2026-04-07T10:16:00Z'));
    expect(later.equals(a)).toBe(false);
  });
});
