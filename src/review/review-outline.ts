/**
 * The outline of a post-incident review document: title, status, incident
 * facts, then the sections in a fixed order, as typed blocks. The Markdown
 * (review-export.ts) and the PDF (review-pdf.ts) are both rendered from it, so
 * the two formats always say the same thing. Pure: time arrives in the
 * document, and instants are written in the policy's time zone.
 */
import { DateTime } from 'luxon';
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

/** One piece of a section, rendered the same way in each format. */
export type Block =
  | { kind: 'text'; text: string }
  /** Said in place of something not written yet: italic. */
  | { kind: 'placeholder'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'facts'; items: [label: string, value: string][] }
  | { kind: 'list'; ordered: boolean; items: string[] }
  /** `widths` are the PDF's column widths in points, `'*'` sharing what is left. */
  | { kind: 'table'; columns: string[]; rows: string[][]; widths: (number | '*')[] };

/** A heading and what is written under it. */
export interface Section {
  heading: string;
  blocks: Block[];
}

/** What a review document says, in the order both formats show it. */
export interface Outline {
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

/** The outline of `doc`, with its instants written in `doc.timeZone`. */
export function reviewOutline(doc: ReviewDocument): Outline {
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
