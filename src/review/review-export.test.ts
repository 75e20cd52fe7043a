import { describe, expect, it } from 'vitest';
import { REVIEW_SECTIONS, type ReviewDocument, reviewMarkdown, reviewPdf } from './review-export.ts';
import type { CorrectiveAction, Review } from './review-types.ts';

const at = (iso: string) => new Date(iso);

function review(overrides: Partial<Review> = {}): Review {
  return {
    incidentId: 'inc-1',
    state: 'approved',
    summary: 'Card payments failed for two hours after a configuration change.',
    rootCause: 'A connection pool limit was lowered by a routine change.',
    contributingFactors: ['No canary stage for configuration', 'Alert thresholds too lax'],
    whys: ['Payments timed out', 'The pool was exhausted', 'The limit was lowered'],
    impact: 'Merchants could not take card payments.',
    impactDetail: { customers: '120 merchants', data: null, services: 'payments-api', duration: '2 hours' },
    lessons: 'Treat configuration like code.',
    customerSummary: 'Card payments were unavailable between 15:00 and 17:00.',
    annotations: [{ timelineEntryId: 't3', note: 'Should have paged sooner' }],
    version: 3,
    updatedAt: at('2026-04-09T10:00:00Z'),
    updatedBy: 'owner@acme.test',
    submittedAt: at('2026-04-08T16:00:00Z'),
    approvedAt: at('2026-04-09T10:00:00Z'),
    approvedBy: 'owner@acme.test',
    ...overrides,
  };
}

function action(overrides: Partial<CorrectiveAction> = {}): CorrectiveAction {
  return {
    id: 'a1',
    incidentId: 'inc-1',
    exerciseId: null,
    title: 'Add a canary stage for configuration changes',
    kind: 'corrective',
    owner: 'dev@acme.test',
    dueDate: '2026-04-30',
    status: 'in_progress',
    wontDoReason: null,
    signedOffBy: null,
    links: [],
    createdAt: at('2026-04-08T10:00:00Z'),
    createdBy: 'user:owner@acme.test',
    updatedAt: at('2026-04-08T10:00:00Z'),
    doneAt: null,
    ...overrides,
  };
}

function document(overrides: Partial<ReviewDocument> = {}): ReviewDocument {
  return {
    organization: 'Acme Ltd',
    incident: {
      reference: 'INC-12',
      title: 'Payments API outage',
      severity: 'medium',
      highestSeverity: 'high',
      openedAt: at('2026-04-07T14:00:00Z'),
      closedAt: at('2026-04-10T09:00:00Z'),
      category: 'availability',
      owner: 'owner@acme.test',
    },
    review: review(),
    actions: [
      action(),
      action({
        id: 'a2',
        title: 'Tighten pool alerts',
        kind: 'preventive',
        dueDate: '2026-05-15',
        status: 'open',
      }),
    ],
    timeline: [
      {
        id: 't1',
        at: at('2026-04-07T14:00:00Z'),
        kind: 'declared',
        actor: 'user:ann@acme.test',
        summary: 'Declared',
      },
      {
        id: 't2',
        at: at('2026-04-07T14:01:00Z'),
        kind: 'checklist',
        actor: 'user:ann@acme.test',
        summary: 'Ticked',
      },
      {
        id: 't3',
        at: at('2026-04-07T14:20:00Z'),
        kind: 'acknowledged',
        actor: 'system:sla',
        summary: 'Acknowledged',
      },
      {
        id: 't4',
        at: at('2026-04-07T15:00:00Z'),
        kind: 'decision',
        actor: 'user:owner@acme.test',
        summary: 'Roll back',
      },
      {
        id: 't5',
        at: at('2026-04-07T16:00:00Z'),
        kind: 'note',
        actor: 'user:bob@acme.test',
        summary: 'Pool at 100%',
      },
    ],
    timeZone: 'Europe/London',
    ...overrides,
  };
}

/** The lines of the Markdown table that follows `heading`. */
function tableAfter(markdown: string, heading: string): string[] {
  const lines = markdown.slice(markdown.indexOf(`## ${heading}`)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start, end);
}

/** The cells of one Markdown table row, splitting only at unescaped pipes. */
function cells(row: string): string[] {
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

describe('reviewMarkdown', () => {
  it('writes the title, the status line and the sections in order', () => {
    const md = reviewMarkdown(document());
    expect(md.startsWith('# Post-incident review: INC-12 — Payments API outage\n')).toBe(true);
    expect(md).toContain(
      '**Status:** Approved · version 3 · approved by owner@acme.test, 9 April 2026, 11:00 BST',
    );
    expect(md).toContain('- **Severity:** medium (highest: high)');
    expect(md).toContain('- **Opened:** 7 April 2026, 15:00 BST');
    const headings = md.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual(REVIEW_SECTIONS.map((s) => `## ${s}`));
    expect(REVIEW_SECTIONS).toEqual([
      'Summary',
      'Timeline of events and decisions',
      'Root cause',
      'Impact',
      'Corrective and preventive actions',
      'Lessons learned',
      'Customer-facing summary',
    ]);
    expect(md).toContain(
      '## Customer-facing summary\n\nCard payments were unavailable between 15:00 and 17:00.\n',
    );
  });

  it('builds the timeline table from the entries, in the zone, with the annotation', () => {
    // The header, the rule and four entries: the checklist tick is bookkeeping.
    const rows = tableAfter(reviewMarkdown(document()), 'Timeline of events and decisions');
    expect(rows.map(cells)).toEqual([
      ['Time', 'Kind', 'Actor', 'Summary', 'Review note'],
      ['---', '---', '---', '---', '---'],
      ['7 April 2026, 15:00 BST', 'declared', 'ann@acme.test', 'Declared', ''],
      ['7 April 2026, 15:20 BST', 'acknowledged', 'sla (system)', 'Acknowledged', 'Should have paged sooner'],
      ['7 April 2026, 16:00 BST', 'decision', 'owner@acme.test', 'Roll back', ''],
      ['7 April 2026, 17:00 BST', 'note', 'bob@acme.test', 'Pool at 100%', ''],
    ]);
    expect(reviewMarkdown(document())).not.toContain('Ticked');
  });

  it('shows a bookkeeping entry when a reviewer annotated it', () => {
    const doc = document({ review: review({ annotations: [{ timelineEntryId: 't2', note: 'Late tick' }] }) });
    expect(reviewMarkdown(doc)).toContain('| checklist | ann@acme.test | Ticked | Late tick |');
  });

  it('escapes pipes and newlines in table cells so rows keep their columns', () => {
    const doc = document({
      timeline: [
        {
          id: 't1',
          at: at('2026-01-07T14:00:00Z'),
          kind: 'note',
          actor: 'user:a@x.test',
          summary: 'a | b\nc',
        },
      ],
      review: review({ annotations: [{ timelineEntryId: 't1', note: 'first\r\nsecond \\| third' }] }),
      actions: [action({ title: 'Split | merge\nqueues' })],
    });
    const md = reviewMarkdown(doc);
    expect(md).toContain(
      '| 7 January 2026, 14:00 GMT | note | a@x.test | a \\| b<br>c | first<br>second \\\\\\| third |',
    );
    expect(md).toContain('| Split \\| merge<br>queues | corrective |');
    for (const heading of ['Timeline of events and decisions', 'Corrective and preventive actions']) {
      const rows = tableAfter(md, heading).filter((r) => !r.includes('---'));
      const widths = rows.map((r) => r.replace(/\\\\/g, '').split(/(?<!\\)\|/).length);
      expect(new Set(widths).size).toBe(1);
    }
  });

  it('writes the actions table with kind, owner, due date and status', () => {
    const doc = document({
      actions: [
        action(),
        action({
          id: 'a3',
          title: 'Rewrite the pool',
          status: 'wont_do',
          wontDoReason: 'Replaced by canary',
        }),
      ],
    });
    const rows = tableAfter(reviewMarkdown(doc), 'Corrective and preventive actions');
    expect(rows.map(cells)).toEqual([
      ['Title', 'Kind', 'Owner', 'Due', 'Status'],
      ['---', '---', '---', '---', '---'],
      [
        'Add a canary stage for configuration changes',
        'corrective',
        'dev@acme.test',
        '30 April 2026',
        'in progress',
      ],
      ['Rewrite the pool', 'corrective', 'dev@acme.test', '30 April 2026', "won't do: Replaced by canary"],
    ]);
  });

  it('lists contributing factors and numbers the five whys', () => {
    const md = reviewMarkdown(document());
    expect(md).toContain(
      '### Contributing factors\n\n- No canary stage for configuration\n- Alert thresholds too lax\n',
    );
    expect(md).toContain(
      '### Five whys\n\n1. Payments timed out\n2. The pool was exhausted\n3. The limit was lowered\n',
    );
    expect(md).toContain(
      '- **Customers:** 120 merchants\n- **Services:** payments-api\n- **Duration:** 2 hours',
    );
    expect(md).not.toContain('**Data:**');
  });

  it('omits empty optional parts cleanly', () => {
    const doc = document({
      incident: {
        ...document().incident,
        closedAt: null,
        category: null,
        owner: null,
        highestSeverity: 'medium',
      },
      review: review({
        state: 'draft',
        approvedAt: null,
        approvedBy: null,
        submittedAt: null,
        contributingFactors: [],
        whys: ['  '],
        impactDetail: { customers: null, data: null, services: '', duration: null },
        annotations: [],
        lessons: '',
      }),
      actions: [],
    });
    const md = reviewMarkdown(doc);
    expect(md).toContain(
      '**Status:** Draft · version 3 · not yet approved · last updated by owner@acme.test',
    );
    expect(md).toContain('- **Severity:** medium\n');
    expect(md).toContain('- **Closed:** not yet closed');
    for (const absent of [
      'Contributing factors',
      'Five whys',
      'Review note',
      'Category',
      '**Owner:**',
      'Services',
    ]) {
      expect(md).not.toContain(absent);
    }
    expect(md).not.toMatch(/null|undefined|\n\n\n/);
    expect(md).toContain('## Impact\n\nMerchants could not take card payments.\n\n## Corrective');
    expect(md).toContain(
      '## Corrective and preventive actions\n\n_No corrective or preventive actions recorded._',
    );
    expect(md).toContain('## Lessons learned\n\n_The lessons learned are not written yet._');
  });

  it('keeps multi-line list items inside their item', () => {
    const md = reviewMarkdown(document({ review: review({ whys: ['First\nstill first', 'Second'] }) }));
    expect(md).toContain('1. First\n   still first\n2. Second');
  });
});

/** The text drawn by an uncompressed PDF: each TJ array's hex strings, decoded; wrapped lines joined by a space. */
function pdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  return [...source.matchAll(/\[([^\]]*)\] TJ/g)]
    .map(([, array]) =>
      [...(array ?? '').matchAll(/<([0-9a-f]*)>/gi)]
        .map(([, hex]) => Buffer.from(hex ?? '', 'hex').toString('latin1'))
        .join(''),
    )
    .join(' ')
    .replace(/\s+/g, ' ');
}

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;

describe('reviewPdf', () => {
  it('writes a complete PDF with the title metadata and the creation date of the review', async () => {
    const pdf = await reviewPdf(document());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    // Non-ASCII text strings (the title has an em dash) are written as UTF-16BE with a byte-order mark.
    const title = Buffer.from('\ufeffPost-incident review: INC-12 — Payments API outage', 'utf16le').swap16();
    expect(pdf.includes(title)).toBe(true);
    expect(pdf.toString('latin1')).toContain('(D:20260409100000Z)');
  });

  it('gives the same bytes for the same review', async () => {
    const [first, second] = await Promise.all([reviewPdf(document()), reviewPdf(document())]);
    expect(first.equals(second)).toBe(true);
  });

  it('draws the reference, the headings and the actions', async () => {
    const text = pdfText(await reviewPdf(document(), { compress: false }));
    expect(text).toContain('INC-12');
    expect(text).toContain('Corrective and preventive actions');
    expect(text).toContain('Five whys');
    expect(text).toContain('Tighten pool alerts');
    expect(text).toContain('Should have paged sooner');
    expect(text).toMatch(/Page 1 of \d+/);
  });

  it('breaks a long review over several pages, each with its footer', async () => {
    const actions = Array.from({ length: 60 }, (_, i) =>
      action({ id: `a${i}`, title: `Action number ${i + 1}` }),
    );
    const long = 'The pool was exhausted because every retry held a connection. '.repeat(40);
    const pdf = await reviewPdf(document({ actions, review: review({ summary: long }) }), {
      compress: false,
    });
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThan(1);
    const text = pdfText(pdf);
    expect(text).toContain('Action number 60');
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('INC-12 · Post-incident review');
  });
});
