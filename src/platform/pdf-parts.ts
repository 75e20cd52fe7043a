/**
 * Drawing pieces every Vigil PDF shares (review exports, evidence package
 * reports): the fonts, a table with a shaded header row, page footers
 * written once all pages exist, and collecting the stream into bytes.
 * Deterministic like their callers: nothing here reads a clock.
 */
export type Pdf = PDFKit.PDFDocument;

export const PDF_FONT = 'Helvetica';
export const PDF_BOLD = 'Helvetica-Bold';

/** A table across the page at the cursor: a shaded header row, then `rows` as given. */
export function drawPdfTable(
  pdf: Pdf,
  table: {
    columns: readonly string[];
    rows: readonly (readonly string[])[];
    fontSize: number;
    padding: [number, number, number, number];
    columnStyles?: PDFKit.Mixins.TableOptions['columnStyles'];
  },
): void {
  const left = pdf.page.margins.left;
  const width = pdf.page.width - left - pdf.page.margins.right;
  pdf.font(PDF_FONT).fontSize(table.fontSize);
  pdf.table({
    position: { x: left, y: pdf.y },
    maxWidth: width,
    ...(table.columnStyles ? { columnStyles: table.columnStyles } : {}),
    defaultStyle: { padding: table.padding, border: 0.5, borderColor: '#999999' },
    data: [
      table.columns.map((text) => ({
        text,
        font: { src: PDF_BOLD },
        backgroundColor: '#eeeeee',
        type: 'TH' as const,
      })),
      ...table.rows.map((row) => [...row]),
    ],
  });
  pdf.x = left;
  pdf.moveDown(0.8);
}

/** `label` and page numbers at the foot of every page; call once all pages exist (bufferPages). */
export function drawPdfFooters(pdf: Pdf, label: string): void {
  const { start, count } = pdf.bufferedPageRange();
  for (let i = start; i < start + count; i += 1) {
    pdf.switchToPage(i);
    const { margins, width, height } = pdf.page;
    const bottom = margins.bottom;
    // Writing inside the bottom margin would otherwise make pdfkit start a new page.
    margins.bottom = 0;
    const y = height - bottom / 2 - 4;
    const textWidth = width - margins.left - margins.right;
    pdf.font(PDF_FONT).fontSize(8).fillColor('#555555');
    pdf.text(label, margins.left, y, { width: textWidth - 60, lineBreak: false, ellipsis: true });
    pdf.text(`Page ${i - start + 1} of ${count}`, margins.left, y, {
      width: textWidth,
      align: 'right',
      lineBreak: false,
    });
    margins.bottom = bottom;
  }
}

/** The whole PDF as bytes, once `pdf.end()` is called. */
export function collectPdf(pdf: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
}
