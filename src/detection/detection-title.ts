/**
 * Firing titles: a one-line `{{name}}` template (the syntax of message templates, see
 * src/communication/message-template.ts) filled with the firing's values.
 */

/** A placeholder: `{{`, optional spaces, a name, optional spaces, `}}`. Entity names may hold `.`, `_` and `-`. */
const PLACEHOLDER = /\{\{ *([A-Za-z][A-Za-z0-9_.-]*) *\}\}/g;
const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g;

/** Most characters in a rendered title. */
export const MAX_TITLE_LENGTH = 200;

/**
 * Variables every title may use besides the rule's entity names: the rule's name, the count
 * that completed the firing, and the completing signal's one-line summary.
 */
export const TITLE_BUILT_INS = ['ruleName', 'count', 'summary'] as const;

/**
 * The variables a title template uses, in order of first use, or the text of the first
 * malformed placeholder (a `{{` that does not open a valid `{{name}}`).
 *
 * @example
 * titleVariables('Brute force against {{principal}} ({{ count }})'); // { ok: true, names: ['principal', 'count'] }
 * titleVariables('Oops {{ no good }}'); // { ok: false, bad: '{{ no good }}' }
 */
export function titleVariables(template: string): { ok: true; names: string[] } | { ok: false; bad: string } {
  const names: string[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const stray = template.slice(last, match.index).indexOf('{{');
    if (stray >= 0) return { ok: false, bad: badPlaceholder(template, last + stray) };
    if (!names.includes(match[1]!)) names.push(match[1]!);
    last = match.index + match[0].length;
  }
  const stray = template.indexOf('{{', last);
  return stray >= 0 ? { ok: false, bad: badPlaceholder(template, stray) } : { ok: true, names };
}

function badPlaceholder(template: string, index: number): string {
  const close = template.indexOf('}}', index + 2);
  return close < 0 ? template.slice(index) : template.slice(index, close + 2);
}

/**
 * Fills a title template in one pass (a value containing `{{…}}` is never expanded). Line
 * breaks become spaces, runs of white space one space, and a result longer than
 * {@link MAX_TITLE_LENGTH} ends in `…`. A variable without a value renders as `unknown`.
 *
 * @example
 * renderTitle('Brute-force login against {{principal}}', { principal: 'sqladmin' });
 * // 'Brute-force login against sqladmin'
 */
export function renderTitle(template: string, values: Readonly<Record<string, string | undefined>>): string {
  const filled = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    return value === undefined || value.trim() === '' ? 'unknown' : value;
  });
  const line = filled.replace(LINE_BREAKS, ' ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_TITLE_LENGTH ? `${line.slice(0, MAX_TITLE_LENGTH - 1)}…` : line;
}
