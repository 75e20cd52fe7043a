/**
 * The trust-centre document: the public description of the incident response
 * process, built from the policy (trust-document.ts) and rendered as HTML or
 * Markdown. It is a small tree of sections and blocks, so both renderers show
 * exactly the same facts and neither needs to know the policy.
 */

/** A table: a caption, column headings and rows of plain-text cells. */
export interface TrustTable {
  kind: 'table';
  caption: string;
  head: string[];
  /** The first cell of each row names the row (a row heading). */
  rows: string[][];
}

/** One block of a section; every string is plain text, escaped by the renderer. */
export type TrustBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  /** Terms with their explanations (severities, roles, phases). */
  | { kind: 'definitions'; items: { term: string; text: string; notes?: string[] }[] }
  | TrustTable
  /** Where the HTML page puts the evidence request form; Markdown describes how to send one. */
  | { kind: 'request-form'; action: string };

export interface TrustSection {
  /** A stable fragment id, e.g. `response-targets`. */
  id: string;
  title: string;
  blocks: TrustBlock[];
}

export interface TrustDocument {
  title: string;
  organisation: string;
  /** A sentence under the title saying what the page is. */
  summary: string;
  sections: TrustSection[];
  /** The policy version (`sha256:…`) the page was rendered from. */
  policyVersion: string;
}

/** The fields of the public evidence request form, as posted. */
export const REQUEST_FORM_FIELDS = [
  { name: 'name', label: 'Your name', type: 'text', required: true },
  { name: 'organisation', label: 'Organisation', type: 'text', required: true },
  { name: 'email', label: 'Email address', type: 'email', required: true },
  { name: 'need', label: 'What you need, and why', type: 'textarea', required: true },
  { name: 'incident', label: 'Incident reference, if you know it', type: 'text', required: false },
  { name: 'periodFrom', label: 'Period from (YYYY-MM-DD)', type: 'date', required: false },
  { name: 'periodTo', label: 'Period to (YYYY-MM-DD)', type: 'date', required: false },
] as const;

/** Where the form posts; also the JSON endpoint for the same request. */
export const EVIDENCE_REQUEST_PATH = '/trust/evidence-requests';
