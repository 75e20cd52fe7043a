/**
 * Message templates: the text of customer and internal email messages, owned by the policy.
 *
 * A template file is a `Subject: ` line, exactly one blank line, then the body. Variables are
 * written `{{name}}` (or `{{ name }}`); there is no logic, no sections and no unescaped form, so a
 * template can only ever place values where its author put them. Which variables a template may
 * use depends on its id ({@link allowedVariables}); the policy loader refuses a template that
 * uses any other, so a typo is a load error instead of a blank in a customer's inbox.
 *
 * Pure: no I/O. The policy loader reads the files; the communication services render them.
 */

/** Who a template is written for. */
export type TemplateAudience = 'customers' | 'internal';

/** A template as loaded with the policy. */
export interface MessageTemplate {
  /** The template id, e.g. `customer_update`. */
  id: string;
  audience: TemplateAudience;
  /**
   * Where the text came from, as stored with the policy version: relative to the policy folder
   * (`templates/customer-update.txt`) or, for Vigil's own templates, under the built-in prefix.
   */
  path: string;
  /** The subject template, one line. */
  subject: string;
  /** The body template, lines separated by `\n`, trailing blank lines dropped. */
  body: string;
  /** The distinct variables used in the subject or the body, sorted. */
  variables: string[];
}

/** A problem in a template file, phrased as the two halves of a policy issue. */
export interface TemplateTextProblem {
  /** 1-based line in the file. */
  line: number;
  expected: string;
  found: string;
}

export type ParsedTemplateText =
  | { ok: true; subject: string; body: string; variables: string[] }
  | ({ ok: false } & TemplateTextProblem);

/** Facts about the incident, available to every template. */
export const INCIDENT_VARIABLES = [
  'reference',
  'title',
  /** The severity's name, e.g. `Critical`. */
  'severity',
  'severityId',
  /** The current phase's name, e.g. `Contain`. */
  'phase',
  'organization',
  'openedAt',
] as const;

/** What a person writes when drafting a message, available to every template the engine does not send. */
export const DRAFT_VARIABLES = [
  'whatHappened',
  'whatWeAreDoing',
  'whatYouShouldDo',
  'nextUpdateAt',
  'recipientName',
] as const;

/** The templates the engine fills in by itself, and the variables each gets beyond the incident's. */
export const ENGINE_TEMPLATE_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  escalation: ['recipientName', 'clock', 'dueAt', 'breachedAt', 'reason'],
  update_reminder: ['recipientName', 'dueAt', 'reason'],
  emergency_page: ['recipientName'],
};

/** The templates Vigil sends, with their audience; a policy may replace any of them and add others. */
export const REQUIRED_TEMPLATES: Readonly<Record<string, TemplateAudience>> = {
  initial_notification: 'customers',
  customer_update: 'customers',
  resolution: 'customers',
  breach_notification: 'customers',
  internal_update: 'internal',
  escalation: 'internal',
  update_reminder: 'internal',
  emergency_page: 'internal',
};

/** The ids of {@link REQUIRED_TEMPLATES}, in the order listed there. */
export const REQUIRED_TEMPLATE_IDS: readonly string[] = Object.keys(REQUIRED_TEMPLATES);

/**
 * The variables a template with this id may use: the incident's, plus the engine's extras for
 * `escalation`, `update_reminder` and `emergency_page`, or the drafting variables for any other
 * id (the other required ones and a policy's own).
 *
 * @example
 * allowedVariables('customer_update').has('whatHappened'); // true
 * allowedVariables('escalation').has('whatHappened'); // false
 */
export function allowedVariables(templateId: string): ReadonlySet<string> {
  const extras = Object.hasOwn(ENGINE_TEMPLATE_VARIABLES, templateId)
    ? ENGINE_TEMPLATE_VARIABLES[templateId]!
    : DRAFT_VARIABLES;
  return new Set([...INCIDENT_VARIABLES, ...extras]);
}

const SUBJECT_PREFIX = 'Subject: ';
/** A placeholder at the current position: `{{`, optional spaces, a name, optional spaces, `}}`. */
const PLACEHOLDER_AT = /\{\{ *([A-Za-z][A-Za-z0-9]*) *\}\}/y;
const PLACEHOLDER_ALL = /\{\{ *([A-Za-z][A-Za-z0-9]*) *\}\}/g;
const SYNTAX_EXPECTED =
  'a variable written {{name}}: a letter, then letters or digits, between "{{" and "}}"';
const FOUND_MAX_LENGTH = 60;

/** A placeholder found on one line. */
interface VariableUse {
  name: string;
  /** As written, e.g. `{{ title }}`. */
  text: string;
}

function shorten(text: string): string {
  return text.length > FOUND_MAX_LENGTH ? `${text.slice(0, FOUND_MAX_LENGTH - 1)}…` : text;
}

/** The placeholders on one line, or what is written where a placeholder was expected. */
function scanLine(line: string): VariableUse[] | { bad: string } {
  const uses: VariableUse[] = [];
  let index = line.indexOf('{{');
  while (index >= 0) {
    PLACEHOLDER_AT.lastIndex = index;
    const match = PLACEHOLDER_AT.exec(line);
    if (!match) {
      const close = line.indexOf('}}', index + 2);
      return { bad: shorten(close < 0 ? line.slice(index) : line.slice(index, close + 2)) };
    }
    uses.push({ name: match[1]!, text: match[0] });
    index = line.indexOf('{{', index + match[0].length);
  }
  return uses;
}

/** The file's lines without a byte-order mark, for `\n` and `\r\n` endings alike. */
function linesOf(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

const isBlank = (line: string | undefined) => line !== undefined && line.trim() === '';

/** The layout problem of a file, if any: Subject line, one blank line, a body. */
function layoutProblem(lines: readonly string[]): TemplateTextProblem | null {
  const [first = '', second, third] = lines;
  if (!first.startsWith(SUBJECT_PREFIX)) {
    const expected = `a first line "${SUBJECT_PREFIX}" followed by the subject`;
    return { line: 1, expected, found: JSON.stringify(shorten(first)) };
  }
  if (first.slice(SUBJECT_PREFIX.length).trim() === '') {
    return { line: 1, expected: `a subject after "${SUBJECT_PREFIX}"`, found: 'an empty subject' };
  }
  if (!isBlank(second)) {
    const found = second === undefined ? 'the end of the file' : JSON.stringify(shorten(second));
    return { line: 2, expected: 'a blank line after the subject line', found };
  }
  // Blank lines alone (a file ending in a newline has an empty last one) are no body.
  if (lines.slice(2).every((line) => line.trim() === '')) {
    return { line: 3, expected: 'a message body after the blank line', found: 'the end of the file' };
  }
  if (isBlank(third)) {
    return { line: 3, expected: 'the body right after exactly one blank line', found: 'another blank line' };
  }
  return null;
}

/**
 * Parses a template file: `Subject: ` and the subject on line 1, exactly one blank line, then
 * the body to the end of the file. Line endings may be `\n` or `\r\n`; a byte-order mark is
 * ignored. Does not check which variables are used (see {@link unknownVariables}).
 *
 * @returns the subject, the body (with `\n` line endings and trailing blank lines dropped) and
 *   the distinct variables used, sorted; or the first problem, with its 1-based line.
 * @example
 * parseTemplateText('Subject: [{{reference}}] Update\n\nHello {{ recipientName }},\n');
 * // { ok: true, subject: '[{{reference}}] Update', body: 'Hello {{ recipientName }},',
 * //   variables: ['recipientName', 'reference'] }
 */
export function parseTemplateText(text: string): ParsedTemplateText {
  const lines = linesOf(text);
  const layout = layoutProblem(lines);
  if (layout) return { ok: false, ...layout };
  const names = new Set<string>();
  for (const [index, line] of lines.entries()) {
    const scanned = scanLine(line);
    if ('bad' in scanned)
      return { ok: false, line: index + 1, expected: SYNTAX_EXPECTED, found: scanned.bad };
    for (const use of scanned) names.add(use.name);
  }
  const subject = lines[0]!.slice(SUBJECT_PREFIX.length).trim();
  const body = lines.slice(2).join('\n').trimEnd();
  return { ok: true, subject, body, variables: [...names].sort() };
}

/**
 * Every use of a variable outside `allowed` in a template file, one problem per use, at its
 * 1-based line. Lines with a syntax error are skipped ({@link parseTemplateText} reports them).
 *
 * @example
 * unknownVariables('Subject: Hi\n\nDear {{customerName}}', allowedVariables('customer_update'));
 * // [{ line: 3, expected: 'a variable among reference, title, …', found: '{{customerName}}' }]
 */
export function unknownVariables(text: string, allowed: ReadonlySet<string>): TemplateTextProblem[] {
  const expected = `a variable among ${[...allowed].join(', ')}`;
  return linesOf(text).flatMap((line, index) => {
    const scanned = scanLine(line);
    if ('bad' in scanned) return [];
    return scanned
      .filter((use) => !allowed.has(use.name))
      .map((use) => ({ line: index + 1, expected, found: use.text }));
  });
}

/** Values to fill a template with; a missing or blank value cannot be sent. */
export type TemplateValues = Readonly<Record<string, string | undefined>>;

function lookUp(values: TemplateValues, name: string): string | undefined {
  // hasOwn: a variable called `constructor` must not find Object.prototype's.
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

/**
 * The variables `template` uses whose value is missing, or empty or only white space, sorted.
 * Check this before {@link renderMessageTemplate}, which refuses to render with any.
 */
export function missingValues(
  template: Pick<MessageTemplate, 'variables'>,
  values: TemplateValues,
): string[] {
  return template.variables.filter((name) => (lookUp(values, name) ?? '').trim() === '');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** Line breaks of every kind, including those a mail header would also take as one. */
const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g;

/**
 * Replaces each placeholder in `template` with `format(value)`, in one pass, so a value that
 * itself contains `{{…}}` is never expanded; literal text between placeholders goes through
 * `literal`.
 */
function substitute(
  template: string,
  values: TemplateValues,
  format: (value: string) => string,
  literal: (text: string) => string = (text) => text,
): string {
  let result = '';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER_ALL)) {
    result += literal(template.slice(last, match.index));
    result += format(lookUp(values, match[1]!) ?? '');
    last = match.index + match[0].length;
  }
  return result + literal(template.slice(last));
}

/** Turns the body's text, HTML-escaped, into paragraphs: blank lines part them, single newlines break lines. */
function htmlParagraphs(escapedBody: string): string {
  return escapedBody
    .split(/\n(?:[ \t]*\n)+/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** A rendered message: a one-line subject and the body as plain text and as a small HTML document. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/**
 * Fills a template in.
 *
 * - `subject`: one line; line breaks inside values become a space, and the result is trimmed,
 *   so a value cannot add a mail header.
 * - `text`: the body with values put in as they are (their line endings made `\n`).
 * - `html`: `<!DOCTYPE html>` … a document whose title is the subject and whose body is the
 *   template's paragraphs (parted by blank lines) as `<p>`, single newlines as `<br>`. Every
 *   character of the template and of the values is HTML-escaped; a value's own line breaks also
 *   become `<br>`. No value can add markup.
 *
 * @throws Error naming the variables whose value is missing or blank (see {@link missingValues}).
 * @example
 * renderMessageTemplate(template, { reference: 'INC-42', title: 'Login failures', ... });
 */
export function renderMessageTemplate(
  template: Pick<MessageTemplate, 'id' | 'subject' | 'body' | 'variables'>,
  values: TemplateValues,
): RenderedMessage {
  const missing = missingValues(template, values);
  if (missing.length > 0) {
    throw new Error(`template "${template.id}" needs a value for ${missing.join(', ')}`);
  }
  const subject = substitute(template.subject, values, (value) => value.replace(LINE_BREAKS, ' '))
    .replace(LINE_BREAKS, ' ')
    .trim();
  const text = substitute(template.body, values, (value) => value.replace(/\r\n?/g, '\n'));
  const escapedBody = substitute(
    template.body,
    values,
    (value) => escapeHtml(value.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>'),
    escapeHtml,
  );
  const html =
    '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    `<title>${escapeHtml(subject)}</title></head><body>${htmlParagraphs(escapedBody)}</body></html>`;
  return { subject, text, html };
}
