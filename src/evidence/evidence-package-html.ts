/**
 * The package report as one self-contained HTML page (pure): inline CSS,
 * no scripts, no external resources, every value escaped.
 */
import type { ReportBlock, ReportOutline } from './evidence-package-report.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = [
  'body{font:14px/1.45 system-ui,sans-serif;color:#111;max-width:60rem;margin:2rem auto;padding:0 1rem}',
  'h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #ccc}',
  '.sub{color:#555;margin-top:0}table{border-collapse:collapse;width:100%;margin:.6rem 0}',
  'th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top;font-size:13px}',
  'th{background:#eee}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}',
  'dt{font-weight:600}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}p{white-space:pre-wrap}',
  'td{overflow-wrap:anywhere}@media print{body{margin:0}}',
].join('');

function blockHtml(block: ReportBlock): string {
  switch (block.kind) {
    case 'text':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'facts':
      return `<dl>${block.items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
    case 'table': {
      const head = block.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
      const rows = block.rows.map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`);
      return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
    }
  }
}

/** The page, UTF-8; the same outline always gives the same bytes. */
export function reportHtml(outline: ReportOutline): Buffer {
  const sections = outline.sections.map(
    (s) => `<section>\n<h2>${escapeHtml(s.heading)}</h2>\n${s.blocks.map(blockHtml).join('\n')}\n</section>`,
  );
  const page = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(outline.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(outline.title)}</h1>`,
    `<p class="sub">${escapeHtml(outline.subtitle)}</p>`,
    ...sections,
    '</body>',
    '</html>',
    '',
  ];
  return Buffer.from(page.join('\n'), 'utf8');
}
