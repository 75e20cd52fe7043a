/**
 * Renders the trust-centre document as one self-contained HTML page: semantic
 * markup, an inline style sheet (with print rules) and no scripts, so it can
 * be served under a Content-Security-Policy that allows nothing but that
 * style block. Every value from the policy is HTML-escaped.
 */
import { createHash } from 'node:crypto';
import {
  REQUEST_FORM_FIELDS,
  type TrustBlock,
  type TrustDocument,
  type TrustSection,
  type TrustTable,
} from './trust-types.ts';

/**
 * The page's only style sheet. Served pages name its SHA-256 in their CSP, so
 * the hash must be taken over exactly this text (see {@link trustStyleHash}).
 */
export const TRUST_STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { border-bottom: 1px solid var(--rule); }
h1 { font-size: 1.8rem; margin: 0.5rem 0; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.25rem; }
nav ul { padding-left: 1.2rem; columns: 2; }
a { color: var(--accent); }
dt { font-weight: 600; margin-top: 0.75rem; }
dd { margin-left: 1.25rem; }
dd ul { margin: 0.25rem 0; padding-left: 1.1rem; color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; padding: 0.5rem 0; }
th, td { border: 1px solid var(--rule); padding: 0.4rem 0.55rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
form { display: grid; gap: 0.75rem; max-width: 36rem; margin-top: 1rem; }
label { display: grid; gap: 0.2rem; font-weight: 600; }
input, textarea { font: inherit; padding: 0.45rem; border: 1px solid var(--muted); border-radius: 4px; }
textarea { min-height: 8rem; }
button { font: inherit; padding: 0.55rem 1rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; justify-self: start; cursor: pointer; }
:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }
footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--rule); }
code { overflow-wrap: anywhere; }
@media print {
  body { font-size: 11pt; }
  nav, form, .no-print { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  table, dl { break-inside: avoid; }
  header, main, footer { max-width: none; padding: 0; }
}
`;

/** The CSP source for {@link TRUST_STYLE}: `'sha256-<base64>'`. */
export function trustStyleHash(): string {
  return `'sha256-${createHash('sha256').update(TRUST_STYLE, 'utf8').digest('base64')}'`;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function tableHtml(table: TrustTable): string {
  const head = table.head.map((cell) => `<th scope="col">${escapeHtml(cell)}</th>`).join('');
  const rows = table.rows
    .map((row) => {
      const [first = '', ...rest] = row;
      const cells = rest.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('');
      return `<tr><th scope="row">${escapeHtml(first)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table>\n<caption>${escapeHtml(table.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
}

function formHtml(action: string): string {
  const fields = REQUEST_FORM_FIELDS.map((field) => {
    const required = field.required ? ' required' : '';
    const id = `er-${field.name}`;
    const control =
      field.type === 'textarea'
        ? `<textarea id="${id}" name="${field.name}" maxlength="5000"${required}></textarea>`
        : `<input id="${id}" name="${field.name}" type="${field.type}" maxlength="300"${required}>`;
    return `<label for="${id}">${escapeHtml(field.label)}${control}</label>`;
  }).join('\n');
  return `<form method="post" action="${escapeHtml(action)}" aria-label="Evidence request">\n${fields}\n<button type="submit">Send request</button>\n</form>`;
}

function blockHtml(block: TrustBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      return `<${tag}>\n${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</${tag}>`;
    }
    case 'definitions':
      return `<dl>\n${block.items
        .map((item) => {
          const notes = item.notes?.length
            ? `<ul>${item.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`
            : '';
          return `<dt>${escapeHtml(item.term)}</dt>\n<dd>${escapeHtml(item.text)}${notes}</dd>`;
        })
        .join('\n')}\n</dl>`;
    case 'table':
      return tableHtml(block);
    case 'request-form':
      return formHtml(block.action);
  }
}

function sectionHtml(section: TrustSection): string {
  const id = escapeHtml(section.id);
  const blocks = section.blocks.map(blockHtml).join('\n');
  return `<section id="${id}" aria-labelledby="${id}-title">\n<h2 id="${id}-title">${escapeHtml(section.title)}</h2>\n${blocks}\n</section>`;
}

/** Doctype to `</head>`: every trust page carries the same style block, so one CSP hash holds. */
function pageHead(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${TRUST_STYLE}</style>
</head>
`;
}

/**
 * The whole page. Deterministic: the same document gives the same bytes, so
 * a published copy can be compared with what the server renders.
 */
export function renderTrustHtml(doc: TrustDocument): string {
  const toc = doc.sections
    .map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`)
    .join('\n');
  return `${pageHead(doc.title)}<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<p>${escapeHtml(doc.summary)}</p>
<nav aria-label="Contents"><ul>
${toc}
</ul></nav>
</header>
<main>
${doc.sections.map(sectionHtml).join('\n')}
</main>
<footer>
<p>Rendered from policy version <code>${escapeHtml(doc.policyVersion)}</code>.</p>
</footer>
</body>
</html>
`;
}

/**
 * A short page in the trust-centre style (same style block, so the same CSP
 * hash holds): the acknowledgement of a request, or the fields to correct.
 */
export function renderNoticePage(notice: { title: string; paragraphs: string[]; items?: string[] }): string {
  const items = notice.items?.length
    ? `<ul>\n${notice.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>\n`
    : '';
  return `${pageHead(notice.title)}<body>
<main>
<h1>${escapeHtml(notice.title)}</h1>
${notice.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${items}<p><a href="/trust">Back to the trust centre</a></p>
</main>
</body>
</html>
`;
}
