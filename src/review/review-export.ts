/**
 * The post-incident review as a document people read and file, in Markdown and
 * as a PDF. Both are rendered from one outline (see review-outline.ts: title,
 * status, incident facts, then the sections in a fixed order), so the two
 * formats always say the same thing. Pure: time arrives in the document (the
 * PDF's creation date is the review's `updatedAt`), and instants are written in
 * the policy's time zone. The PDF is drawn in review-pdf.ts.
 */
import { type Block, type ReviewDocument, reviewOutline } from './review-outline.ts';

export { REVIEW_SECTIONS, type ReviewDocument } from './review-outline.ts';
export { reviewPdf } from './review-pdf.ts';

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
