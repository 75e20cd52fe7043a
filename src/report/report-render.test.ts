import { describe, expect, it } from 'vitest';
import { csvField, reportCsv } from './report-csv.ts';
import type { ReportDocument } from './report-documents.ts';
import { reportHtml } from './report-html.ts';
import { humanDuration, percent } from './report-html-parts.ts';

const header = {
  title: 'Open and overdue corrective actions',
  from: new Date('2026-03-31T23:00:00Z'),
  to: new Date('2026-04-30T23:00:00Z'),
  generatedAt: new Date('2026-04-20T09:00:00Z'),
  timeZone: 'Europe/London',
};

const hostile = '<script>alert("x")</script> & =HYPERLINK("evil")';

const doc: ReportDocument = {
  kind: 'actions',
  header,
  figures: {
    today: '2026-04-20',
    open: [
      {
        id: 'a1',
        title: hostile,
        kind: 'corrective',
        owner: 'cto@example.com',
        dueDate: '2026-04-17',
        status: 'open',
        createdAt: new Date('2026-04-01T10:00:00Z'),
        doneAt: null,
        incidentReference: 'INC-3',
        fromExercise: false,
        overdue: true,
        daysOverdue: 3,
      },
    ],
    openCount: 1,
    overdueCount: 1,
    createdInPeriod: 1,
    doneInPeriod: 0,
  },
};

describe('report CSV', () => {
  it('quotes what needs it and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
  });

  it('writes the main table with a header row and CRLF line ends', () => {
    expect(reportCsv(doc).split('\r\n')).toEqual([
      'id,incident,from_exercise,title,kind,owner,due_date,status,overdue,days_overdue',
      `a1,INC-3,false,"<script>alert(""x"")</script> & =HYPERLINK(""evil"")",corrective,cto@example.com,2026-04-17,open,true,3`,
      '',
    ]);
  });
});

describe('report HTML', () => {
  const html = reportHtml(doc);

  it('is a self-contained printable page with no script', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).toContain('Period: 2026-04-01 00:00 +01:00 to 2026-05-01 00:00 +01:00');
  });

  it('escapes every value', () => {
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; =HYPERLINK(&quot;evil&quot;)',
    );
    expect(html).toContain('<tr class="late">');
  });

  it.each([
    [null, '–'],
    [45, '45 s'],
    [600, '10 min'],
    [3900, '1 h 05 min'],
    [183600, '2 d 3 h'],
  ])('formats %s seconds as %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });

  it('formats shares as percentages', () => {
    expect(percent(0.6667)).toBe('66.7 %');
    expect(percent(null)).toBe('–');
  });
});
