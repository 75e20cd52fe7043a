/**
 * Renders the trust-centre document as CommonMark with GitHub tables, for a
 * wiki, a repository or a static site. Policy text is escaped so that it
 * reads literally: no HTML, links or emphasis can come from the policy.
 */
import { REQUEST_FORM_FIELDS, type TrustBlock, type TrustDocument, type TrustTable } from './trust-types.ts';

/**
 * Escapes text so Markdown reads it literally: inline markup characters
 * anywhere, and a block marker (`#`, `-`, `+`, `>`, `1.`) at the start.
 * Line breaks fold into spaces so that one value stays one paragraph or cell.
 */
export function escapeMarkdown(text: string): string {
  const inline = text.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_{}[\]<>|&~!]/g, (c) => `\\${c}`);
  return inline.replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([#+-])/, '\\$1');
}

function tableMarkdown(table: TrustTable): string {
  const row = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  return [
    `*${escapeMarkdown(table.caption)}*`,
    '',
    row(table.head),
    `|${table.head.map(() => ' --- ').join('|')}|`,
    ...table.rows.map(row),
  ].join('\n');
}

function formMarkdown(action: string): string {
  const fields = REQUEST_FORM_FIELDS.map(
    (f) => `- \`${f.name}\`: ${escapeMarkdown(f.label)}${f.required ? ' (required)' : ' (optional)'}`,
  );
  return [
    `To send a request, use the form on the web version of this page, or POST these fields (form-encoded or JSON) to \`${action}\`:`,
    '',
    ...fields,
  ].join('\n');
}

function blockMarkdown(block: TrustBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return escapeMarkdown(block.text);
    case 'list':
      return block.items
        .map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${escapeMarkdown(item)}`)
        .join('\n');
    case 'definitions':
      return block.items
        .map((item) => {
          const notes = (item.notes ?? []).map((note) => `  - ${escapeMarkdown(note)}`);
          return [`- **${escapeMarkdown(item.term)}**: ${escapeMarkdown(item.text)}`, ...notes].join('\n');
        })
        .join('\n');
    case 'table':
      return tableMarkdown(block);
    case 'request-form':
      return formMarkdown(block.action);
  }
}

/** The whole document as Markdown, ending with one newline. */
export function renderTrustMarkdown(doc: TrustDocument): string {
  const parts = [`# ${escapeMarkdown(doc.title)}`, escapeMarkdown(doc.summary)];
  for (const section of doc.sections) {
    parts.push(`## ${escapeMarkdown(section.title)}`);
    for (const block of section.blocks) parts.push(blockMarkdown(block));
  }
  parts.push('---', `Rendered from policy version \`${doc.policyVersion}\`.`);
  return `${parts.join('\n\n')}\n`;
}
