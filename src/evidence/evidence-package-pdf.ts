/**
 * The package report as an A4 PDF, drawn from the same outline as the HTML
 * page. Deterministic: the creation and modification dates are the
 * package's `lastChangeAt`, and pdfkit derives the document's /ID from
 * those metadata, so the same outline gives the same bytes.
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
import type { ReportBlock, ReportOutline } from './evidence-package-report.ts';

const MARGIN = 45;

function drawBlock(pdf: Pdf, block: ReportBlock): void {
  const left = pdf.page.margins.left;
  const width = pdf.page.width - left - pdf.page.margins.right;
  switch (block.kind) {
    case 'text':
      pdf.font(FONT).fontSize(10).text(block.text, left, pdf.y, { width }).moveDown(0.5);
      return;
    case 'facts':
      for (const [label, value] of block.items) {
        pdf.font(BOLD).fontSize(10).text(`${label}: `, left, pdf.y, { width, continued: true });
        pdf.font(FONT).text(value);
      }
      pdf.moveDown(0.5);
      return;
    case 'table':
      drawPdfTable(pdf, { columns: block.columns, rows: block.rows, fontSize: 8, padding: [2, 3, 2, 3] });
      return;
  }
}

/**
 * The report as a PDF in the built-in Helvetica fonts.
 *
 * @param lastChangeAt the package's last change: the PDF's creation date, so the bytes never vary.
 */
export async function reportPdf(outline: ReportOutline, lastChangeAt: Date): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + 10 },
    bufferPages: true,
    font: FONT,
    info: {
      Title: outline.title,
      Subject: 'Evidence package report',
      Creator: 'Vigil',
      Producer: 'Vigil',
      CreationDate: lastChangeAt,
      ModDate: lastChangeAt,
    },
  });
  const done = collectPdf(pdf);
  const width = pdf.page.width - MARGIN * 2;
  pdf.font(BOLD).fontSize(15).text(outline.title, MARGIN, MARGIN, { width }).moveDown(0.2);
  pdf.font(FONT).fontSize(9).fillColor('#444444').text(outline.subtitle, { width }).fillColor('black');
  for (const section of outline.sections) {
    pdf.moveDown(0.8);
    pdf.font(BOLD).fontSize(12).text(section.heading, MARGIN, pdf.y, { width }).moveDown(0.3);
    for (const block of section.blocks) drawBlock(pdf, block);
  }
  drawPdfFooters(pdf, outline.title);
  pdf.end();
  return done;
}
