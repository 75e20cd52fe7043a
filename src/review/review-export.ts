/**
 * The post-incident review as a document people read and file, in Markdown and
 * as a PDF. Both are rendered from one outline (title, status, incident facts,
 * then the sections in a fixed order), so the two formats always say the same
 * thing. Pure: time arrives in the document (the PDF's creation date is the
 * review's `updatedAt`), and instants are written in the policy's time zone.
 */
import { DateTime } from 'luxon';
import PDFDocument from 'pdfkit';
import { formatInstant } from '../communication/message-values.ts';
import type { ActionStatus, CorrectiveAction, Review, ReviewState } from './review-types.ts';

/** Everything a review export shows: the incident, the review, its actions and the incident's timeline. */
export interface ReviewDocument {
  organization: string;
  incident: {
    reference: string;
    title: string;
    severity: string;
    highestSeverity: string;
    openedAt: Date;
    closedAt: Date | null;
    category: string | null;
    owner: string | null;
  };
  review: Review;
  actions: CorrectiveAction[];
  /** The incident's timeline, oldest first: the review's timeline of events and decisions is generated from it. */
  timeline: { id: string; at: Date; kind: string; actor: string; summary: string }[];
  /** The policy's time zone, for writing instants people read (e.g. "7 April 2026, 15:00 BST"). */
  timeZone: string;
}

type Block =
  | { kind: 'text'; text: string }
  /** Said in place of something not written yet: italic. */
  | { kind: 'placeholder'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'facts'; items: [label: string, value: string][] }
  | { kind: 'list'; ordered: boolean; items: string[] }
  /** `widths` are the PDF's column widths in points, `'*'` sharing what is left. */
  | { kind: 'table'; columns: string[]; rows: string[][]; widths: (number | '*')[] };

interface Section {
  heading: string;
  blocks: Block[];
}

interface Outline {
  title: string;
  status: string;
  facts: [string, string][];
  sections: Section[];
}

/** The section headings, in the order both formats show them. */
export const REVIEW_SECTIONS = [
  'Summary',
  'Timeline of events and decisions',
  'Root cause',
  'Impact',
  'Corrective and preventive actions',
  'Lessons learned',
  'Customer-facing summary',
] as const;

/**
 * Timeline kinds left out of the review's timeline: bookkeeping that records no
 * event or decision of the response. Any entry a reviewer annotated is shown anyway.
 */
const BOOKKEEPING_KINDS: ReadonlySet<string> = new Set([
  'checklist',
  'signal_linked',
  'customers_linked',
  'customers_unlinked',
]);

const STATE_LABELS: Record<ReviewState, string> = {
  draft: 'Draft',
  in_review: 'In review',
  approved: 'Approved',
};
const STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  wont_do: "won't do",
};

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** `user:EMAIL` reads as the email, `system:NAME` as `NAME (system)`. */
function actorName(actor: string): string {
  if (actor.startsWith('user:')) return actor.slice('user:'.length);
  if (actor.startsWith('system:')) return `${actor.slice('system:'.length)} (system)`;
  return actor;
}

/** A `YYYY-MM-DD` date as `30 April 2026`; anything else as given. */
function formatDate(date: string): string {
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  return parsed.isValid ? parsed.setLocale('en-GB').toFormat('d LLLL yyyy') : date;
}

/** The text, or a placeholder when nothing is written yet. */
function textOr(text: string, missing: string): Block {
  return text.trim() ? { kind: 'text', text: text.trim() } : { kind: 'placeholder', text: missing };
}

const nonBlank = (items: readonly string[]) => items.map((i) => i.trim()).filter((i) => i.length > 0);

function reviewTitle(doc: ReviewDocument): string {
  return `Post-incident review: ${doc.incident.reference} — ${oneLine(doc.incident.title)}`;
}

function statusLine({ review, timeZone }: ReviewDocument): string {
  const parts = [STATE_LABELS[review.state], `version ${review.version}`];
  if (review.approvedAt && review.approvedBy) {
    parts.push(`approved by ${review.approvedBy}, ${formatInstant(review.approvedAt, timeZone)}`);
  } else {
    parts.push('not yet approved');
    if (review.submittedAt) parts.push(`submitted ${formatInstant(review.submittedAt, timeZone)}`);
  }
  parts.push(`last updated by ${review.updatedBy}, ${formatInstant(review.updatedAt, timeZone)}`);
  return parts.join(' · ');
}

function incidentFacts({ organization, incident, timeZone }: ReviewDocument): [string, string][] {
  const severity =
    incident.highestSeverity && incident.highestSeverity !== incident.severity
      ? `${incident.severity} (highest: ${incident.highestSeverity})`
      : incident.severity;
  const facts: [string, string][] = [
    ['Organisation', organization],
    ['Severity', severity],
    ['Opened', formatInstant(incident.openedAt, timeZone)],
    ['Closed', incident.closedAt ? formatInstant(incident.closedAt, timeZone) : 'not yet closed'],
  ];
  if (incident.category) facts.push(['Category', incident.category]);
  if (incident.owner) facts.push(['Owner', incident.owner]);
  return facts;
}

function timelineBlocks({ timeline, review, timeZone }: ReviewDocument): Block[] {
  const notes = new Map<string, string[]>();
  for (const a of review.annotations) {
    if (a.note.trim()) notes.set(a.timelineEntryId, [...(notes.get(a.timelineEntryId) ?? []), a.note.trim()]);
  }
  const entries = timeline.filter((e) => !BOOKKEEPING_KINDS.has(e.kind) || notes.has(e.id));
  if (entries.length === 0) return [{ kind: 'placeholder', text: 'The incident has no timeline entries.' }];
  const annotated = entries.some((e) => notes.has(e.id));
  const columns = ['Time', 'Kind', 'Actor', 'Summary', ...(annotated ? ['Review note'] : [])];
  const rows = entries.map((e) => {
    const row = [formatInstant(e.at, timeZone), e.kind.replaceAll('_', ' '), actorName(e.actor), e.summary];
    return annotated ? [...row, (notes.get(e.id) ?? []).join('\n')] : row;
  });
  const widths: (number | '*')[] = [110, 70, 100, '*', ...(annotated ? ['*' as const] : [])];
  return [{ kind: 'table', columns, rows, widths }];
}

function rootCauseBlocks({ review }: ReviewDocument): Block[] {
  const blocks = [textOr(review.rootCause, 'The root cause is not written yet.')];
  const factors = nonBlank(review.contributingFactors);
  if (factors.length > 0) {
    blocks.push({ kind: 'subheading', text: 'Contributing factors' });
    blocks.push({ kind: 'list', ordered: false, items: factors });
  }
  const whys = nonBlank(review.whys);
  if (whys.length > 0) {
    blocks.push({ kind: 'subheading', text: 'Five whys' });
    blocks.push({ kind: 'list', ordered: true, items: whys });
  }
  return blocks;
}

function impactBlocks({ review }: ReviewDocument): Block[] {
  const { customers, data, services, duration } = review.impactDetail;
  const detail: [string, string | null][] = [
    ['Customers', customers],
    ['Data', data],
    ['Services', services],
    ['Duration', duration],
  ];
  const items = detail.flatMap(([label, value]) =>
    value?.trim() ? [[label, value.trim()] as [string, string]] : [],
  );
  const blocks = [textOr(review.impact, 'The impact is not written yet.')];
  if (items.length > 0) blocks.push({ kind: 'facts', items });
  return blocks;
}

function actionBlocks({ actions }: ReviewDocument): Block[] {
  if (actions.length === 0)
    return [{ kind: 'placeholder', text: 'No corrective or preventive actions recorded.' }];
  const rows = actions.map((a) => {
    const status =
      a.status === 'wont_do' && a.wontDoReason ? `won't do: ${a.wontDoReason}` : STATUS_LABELS[a.status];
    return [a.title, a.kind, a.owner, formatDate(a.dueDate), status];
  });
  const widths: (number | '*')[] = ['*', 65, 110, 75, 80];
  return [{ kind: 'table', columns: ['Title', 'Kind', 'Owner', 'Due', 'Status'], rows, widths }];
}

function reviewOutline(doc: ReviewDocument): Outline {
  const { review } = doc;
  const blocks: Record<(typeof REVIEW_SECTIONS)[number], Block[]> = {
    Summary: [textOr(review.summary, 'The summary is not written yet.')],
    'Timeline of events and decisions': timelineBlocks(doc),
    'Root cause': rootCauseBlocks(doc),
    Impact: impactBlocks(doc),
    'Corrective and preventive actions': actionBlocks(doc),
    'Lessons learned': [textOr(review.lessons, 'The lessons learned are not written yet.')],
    'Customer-facing summary': [
      textOr(review.customerSummary, 'The customer-facing summary is not written yet.'),
    ],
  };
  return {
    title: reviewTitle(doc),
    status: statusLine(doc),
    facts: incidentFacts(doc),
    sections: REVIEW_SECTIONS.map((heading) => ({ heading, blocks: blocks[heading] })),
  };
}

// ---------------------------------------------------------------- Markdown

/**
 * A table cell on one line: newlines become `<br>` and pipes are escaped (with
 * any backslashes before them doubled, so a user's own `\|` cannot end the cell).
 */
function markdownCell(text: string): string {
  return text
    .trim()
    .replace(/\r\n|\r|\n/g, '<br>')
    .replace(/(\\*)\|/g, (_match, slashes: string) => `${slashes}${slashes}\\|`);
}

/** A list item whose later lines are indented under its marker, so a multi-line item stays one item. */
function markdownItem(marker: string, text: string): string {
  return `${marker} ${text.split(/\r\n|\r|\n/).join(`\n${' '.repeat(marker.length + 1)}`)}`;
}

function markdownBlock(block: Block): string {
  switch (block.kind) {
    case 'text':
      return block.text;
    case 'placeholder':
      return `_${block.text}_`;
    case 'subheading':
      return `### ${block.text}`;
    case 'facts':
      return block.items.map(([label, value]) => markdownItem('-', `**${label}:** ${value}`)).join('\n');
    case 'list':
      return block.items.map((item, i) => markdownItem(block.ordered ? `${i + 1}.` : '-', item)).join('\n');
    case 'table': {
      const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
      return [line(block.columns), line(block.columns.map(() => '---')), ...block.rows.map(line)].join('\n');
    }
  }
}

/**
 * The review as Markdown: title, status line, incident facts, then the sections
 * in the order of {@link REVIEW_SECTIONS}. Instants are written in `doc.timeZone`.
 *
 * @example
 * const text = reviewMarkdown(doc); // "# Post-incident review: INC-12 — Payments outage\n\n**Status:** ..."
 */
export function reviewMarkdown(doc: ReviewDocument): string {
  const outline = reviewOutline(doc);
  const parts = [
    `# ${outline.title}`,
    `**Status:** ${outline.status}`,
    markdownBlock({ kind: 'facts', items: outline.facts }),
  ];
  for (const section of outline.sections) {
    parts.push(`## ${section.heading}`, ...section.blocks.map(markdownBlock));
  }
  return `${parts.join('\n\n')}\n`;
}

// ---------------------------------------------------------------- PDF

type Pdf = PDFKit.PDFDocument;

const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const ITALIC = 'Helvetica-Oblique';
const BODY_SIZE = 10;
const MARGIN = 50;

function pdfBlock(pdf: Pdf, block: Block): void {
  const width = pdf.page.width - pdf.page.margins.left - pdf.page.margins.right;
  const left = pdf.page.margins.left;
  switch (block.kind) {
    case 'text':
      for (const paragraph of block.text.split(/(?:\r?\n){2,}/)) {
        pdf.font(FONT).fontSize(BODY_SIZE).text(paragraph.trim(), left, pdf.y, { width });
        pdf.moveDown(0.5);
      }
      return;
    case 'placeholder':
      pdf.font(ITALIC).fontSize(BODY_SIZE).text(block.text, left, pdf.y, { width }).moveDown(0.5);
      return;
    case 'subheading':
      pdf.font(BOLD).fontSize(11).text(block.text, left, pdf.y, { width }).moveDown(0.3);
      return;
    case 'facts':
      for (const [label, value] of block.items) {
        pdf.font(BOLD).fontSize(BODY_SIZE).text(`${label}: `, left, pdf.y, { width, continued: true });
        pdf.font(FONT).text(value);
      }
      pdf.moveDown(0.5);
      return;
    case 'list':
      pdf
        .font(FONT)
        .fontSize(BODY_SIZE)
        .list(block.items, left, pdf.y, { width, listType: block.ordered ? 'numbered' : 'bullet' })
        .moveDown(0.5);
      return;
    case 'table':
      pdf.font(FONT).fontSize(9);
      pdf.table({
        position: { x: left, y: pdf.y },
        maxWidth: width,
        columnStyles: block.widths,
        defaultStyle: { padding: [3, 4, 3, 4], border: 0.5, borderColor: '#999999' },
        data: [
          block.columns.map((text) => ({
            text,
            font: { src: BOLD },
            backgroundColor: '#eeeeee',
            type: 'TH' as const,
          })),
          ...block.rows,
        ],
      });
      pdf.x = left;
      pdf.moveDown(0.8);
      return;
  }
}

/** The reference and page numbers at the foot of every page, written once all pages exist. */
function pdfFooters(pdf: Pdf, reference: string): void {
  const { start, count } = pdf.bufferedPageRange();
  for (let i = start; i < start + count; i += 1) {
    pdf.switchToPage(i);
    const { margins, width, height } = pdf.page;
    const bottom = margins.bottom;
    // Writing inside the bottom margin would otherwise make the library start a new page.
    margins.bottom = 0;
    const y = height - bottom / 2 - 4;
    const textWidth = width - margins.left - margins.right;
    pdf.font(FONT).fontSize(8).fillColor('#555555');
    pdf.text(`${reference} · Post-incident review`, margins.left, y, { width: textWidth, lineBreak: false });
    pdf.text(`Page ${i - start + 1} of ${count}`, margins.left, y, {
      width: textWidth,
      align: 'right',
      lineBreak: false,
    });
    margins.bottom = bottom;
  }
}

/** Collects the PDF stream into one buffer. */
function collect(pdf: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
}

/**
 * The review as an A4 PDF with the same content as {@link reviewMarkdown}, in
 * the built-in Helvetica fonts, with the reference and page numbers in the
 * footer. Deterministic: the creation date is the review's `updatedAt` and the
 * title metadata is the review's title, so the same review gives the same bytes.
 * `compress: false` (default true) leaves the content streams readable, for tests.
 *
 * @example
 * const bytes = await reviewPdf(doc); // Buffer starting with "%PDF-"
 */
export async function reviewPdf(doc: ReviewDocument, options: { compress?: boolean } = {}): Promise<Buffer> {
  const outline = reviewOutline(doc);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + 10 },
    bufferPages: true,
    compress: options.compress ?? true,
    font: FONT,
    info: {
      Title: outline.title,
      Subject: 'Post-incident review',
      Author: doc.organization,
      Creator: 'Vigil',
      CreationDate: doc.review.updatedAt,
      ModDate: doc.review.updatedAt,
    },
  });
  const done = collect(pdf);
  const width = pdf.page.width - MARGIN * 2;
  pdf.font(BOLD).fontSize(16).text(outline.title, MARGIN, MARGIN, { width }).moveDown(0.3);
  pdf
    .font(FONT)
    .fontSize(9)
    .fillColor('#444444')
    .text(outline.status, { width })
    .fillColor('black')
    .moveDown(0.6);
  pdfBlock(pdf, { kind: 'facts', items: outline.facts });
  for (const section of outline.sections) {
    pdf.moveDown(0.4);
    pdf.font(BOLD).fontSize(13).text(section.heading, MARGIN, pdf.y, { width }).moveDown(0.4);
    for (const block of section.blocks) pdfBlock(pdf, block);
  }
  pdfFooters(pdf, doc.incident.reference);
  pdf.end();
  return done;
}
