/**
 * Small pure pieces of the HTML reports: escaping, number and time
 * formatting, and tables whose cells are escaped as they are written.
 */
import { DateTime } from 'luxon';
import type { Cell } from './report-csv.ts';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A duration in seconds as a person reads it: `45 s`, `12 min`, `1 h 05 min`, `2 d 3 h`; `–` for none. */
export function humanDuration(seconds: number | null): string {
  if (seconds === null) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A share (0..1) as a percentage with one decimal; `–` when there was nothing to judge. */
export function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)} %`;
}

/** An instant in `zone`, e.g. `2026-04-07 10:30 +01:00`; `–` for none. */
export function localTime(at: Date | null, zone: string): string {
  return at ? DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM-dd HH:mm ZZ') : '–';
}

/** A table; numbers align right. Cells are escaped here. */
export function htmlTable(
  columns: readonly string[],
  rows: readonly Cell[][],
  rowClass?: (i: number) => string,
): string {
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((row, i) => {
      const cls = rowClass?.(i);
      const cells = row
        .map((cell) =>
          typeof cell === 'number'
            ? `<td class="n">${escapeHtml(String(cell))}</td>`
            : `<td>${escapeHtml(cell === null ? '–' : typeof cell === 'boolean' ? (cell ? 'yes' : 'no') : cell)}</td>`,
        )
        .join('');
      return `<tr${cls ? ` class="${escapeHtml(cls)}"` : ''}>${cells}</tr>`;
    })
    .join('\n');
  return rows.length === 0
    ? '<p>None.</p>'
    : `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
