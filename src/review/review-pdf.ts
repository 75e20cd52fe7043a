/**
 * The post-incident review as a PDF, rendered from the same outline as the
 * Markdown (see review-outline.ts). Pure and deterministic: the PDF's creation
 * date is the review's `updatedAt`, so the same review gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import {
  PDF_BOLD as BOLD,
  collectPdf,
  drawPdfFooters,
  drawPdfTable,
  PDF_FONT as FONT,
  type Pdf,
} from '../platform/pdf-parts.ts';
import { type Block, type ReviewDocument, reviewOutline } from './review-outline.ts';

const ITALIC = 'Helvetica-Oblique';
const BODY_SIZE = 10;
const MARGIN = 50;

/** Draws one block at the cursor, across the page between its margins. */
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
      drawPdfTable(pdf, {
        columns: block.columns,
        rows: block.rows,
        fontSize: 9,
        padding: [3, 4, 3, 4],
        columnStyles: block.widths,
      });
      return;
  }
}

/**
 * The review as an A4 PDF with the same content as `reviewMarkdown`, in
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
  const done = collectPdf(pdf);
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
  drawPdfFooters(pdf, `${doc.incident.reference} · Post-incident review`);
  pdf.end();
  return done;
}
