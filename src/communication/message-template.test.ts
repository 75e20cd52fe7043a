import { describe, expect, it } from 'vitest';
import {
  allowedVariables,
  DRAFT_VARIABLES,
  INCIDENT_VARIABLES,
  type MessageTemplate,
  missingValues,
  parseTemplateText,
  REQUIRED_TEMPLATES,
  renderMessageTemplate,
  unknownVariables,
} from './message-template.ts';

/** A template from file text that must parse. */
function templateOf(text: string, id = 'customer_update'): MessageTemplate {
  const parsed = parseTemplateText(text);
  if (!parsed.ok) throw new Error(`${parsed.line}: expected ${parsed.expected}, found ${parsed.found}`);
  const { subject, body, variables } = parsed;
  return { id, audience: 'customers', path: 'templates/t.txt', subject, body, variables };
}

const UPDATE = [
  'Subject: [{{reference}}] Security incident update: {{title}}',
  '',
  'Hello {{ recipientName }},',
  '',
  '{{whatHappened}}',
  'Next update by {{nextUpdateAt}}.',
  '',
].join('\n');

describe('parseTemplateText', () => {
  it('splits the subject from the body and lists the variables once, sorted', () => {
    expect(parseTemplateText(UPDATE)).toEqual({
      ok: true,
      subject: '[{{reference}}] Security incident update: {{title}}',
      body: 'Hello {{ recipientName }},\n\n{{whatHappened}}\nNext update by {{nextUpdateAt}}.',
      variables: ['nextUpdateAt', 'recipientName', 'reference', 'title', 'whatHappened'],
    });
  });

  it('reads CRLF line endings and tolerates a byte-order mark', () => {
    const parsed = parseTemplateText(`\uFEFF${UPDATE.replaceAll('\n', '\r\n')}`);
    expect(parsed).toEqual(parseTemplateText(UPDATE));
  });

  it.each([
    ['no Subject line', 'Hello\n\nbody', 1, 'a first line "Subject: " followed by the subject', '"Hello"'],
    [
      'a lower-case subject key',
      'subject: Hi\n\nbody',
      1,
      'a first line "Subject: " followed by the subject',
      '"subject: Hi"',
    ],
    ['an empty subject', 'Subject: \n\nbody', 1, 'a subject after "Subject: "', 'an empty subject'],
    ['no blank line', 'Subject: Hi\nbody', 2, 'a blank line after the subject line', '"body"'],
    ['only a subject', 'Subject: Hi', 2, 'a blank line after the subject line', 'the end of the file'],
    ['no body', 'Subject: Hi\n\n\n', 3, 'a message body after the blank line', 'the end of the file'],
    [
      'two blank lines',
      'Subject: Hi\n\n\nbody',
      3,
      'the body right after exactly one blank line',
      'another blank line',
    ],
  ])('refuses %s', (_, text, line, expected, found) => {
    expect(parseTemplateText(text)).toEqual({ ok: false, line, expected, found });
  });

  it.each([
    ['a space inside the name', 'Dear {{customer name}},', '{{customer name}}'],
    ['an unclosed placeholder', 'Dear {{title', '{{title'],
    ['a triple brace', 'Dear {{{title}}}', '{{{title}}'],
    ['a name starting with a digit', 'Code {{1st}}', '{{1st}}'],
    ['a section', '{{#items}}x{{/items}}', '{{#items}}'],
    ['an underscore', '{{recipient_name}}', '{{recipient_name}}'],
  ])('refuses %s, at its line', (_, line, found) => {
    const parsed = parseTemplateText(`Subject: Hi\n\nHello,\n${line}\n`);
    expect(parsed).toMatchObject({ ok: false, line: 4, found });
    expect(parsed.ok || parsed.expected).toMatch(/^a variable written \{\{name\}\}/);
  });

  it('refuses a bad placeholder in the subject', () => {
    expect(parseTemplateText('Subject: {{ref-no}}\n\nbody')).toMatchObject({
      ok: false,
      line: 1,
      found: '{{ref-no}}',
    });
  });

  it('leaves single braces and a stray "}}" as text', () => {
    expect(parseTemplateText('Subject: {a} }}\n\n{b}')).toMatchObject({ ok: true, variables: [] });
  });
});

describe('unknownVariables', () => {
  it('reports each use of a variable the template id is not given, with its file line', () => {
    const text =
      'Subject: [{{reference}}] {{ticket}}\r\n\r\nDear {{customerName}},\r\n{{whatHappened}} {{customerName}}\r\n';
    const problems = unknownVariables(text, allowedVariables('customer_update'));
    expect(problems.map((p) => [p.line, p.found])).toEqual([
      [1, '{{ticket}}'],
      [3, '{{customerName}}'],
      [4, '{{customerName}}'],
    ]);
    expect(problems[0]?.expected).toBe(
      'a variable among reference, title, severity, severityId, phase, organization, openedAt, whatHappened, whatWeAreDoing, whatYouShouldDo, nextUpdateAt, recipientName',
    );
  });

  it('finds nothing in a template that keeps to its variables', () => {
    expect(unknownVariables(UPDATE, allowedVariables('customer_update'))).toEqual([]);
  });
});

describe('allowedVariables', () => {
  it('gives drafted templates, required or custom, the incident and drafting variables', () => {
    const expected = new Set([...INCIDENT_VARIABLES, ...DRAFT_VARIABLES]);
    expect(allowedVariables('customer_update')).toEqual(expected);
    expect(allowedVariables('board_briefing')).toEqual(expected);
  });

  it('gives engine templates the incident variables and their own, but no drafting ones', () => {
    expect([...allowedVariables('escalation')]).toEqual([
      ...INCIDENT_VARIABLES,
      'recipientName',
      'clock',
      'dueAt',
      'breachedAt',
      'reason',
    ]);
    expect(allowedVariables('update_reminder').has('reason')).toBe(true);
    expect(allowedVariables('update_reminder').has('whatHappened')).toBe(false);
    expect([...allowedVariables('emergency_page')]).toEqual([...INCIDENT_VARIABLES, 'recipientName']);
  });

  it('does not take an inherited property name for an engine template id', () => {
    expect(allowedVariables('constructor').has('whatHappened')).toBe(true);
  });

  it('lists the eight templates Vigil sends with their audiences', () => {
    expect(REQUIRED_TEMPLATES).toEqual({
      initial_notification: 'customers',
      customer_update: 'customers',
      resolution: 'customers',
      breach_notification: 'customers',
      internal_update: 'internal',
      escalation: 'internal',
      update_reminder: 'internal',
      emergency_page: 'internal',
    });
  });
});

const VALUES = {
  reference: 'INC-2026-0042',
  title: 'Unusual sign-ins',
  recipientName: 'Ada',
  whatHappened: 'We saw sign-ins from an unknown network.',
  nextUpdateAt: '14:00 UTC',
};

describe('missingValues', () => {
  it('lists the variables whose value is absent, empty or only white space', () => {
    const template = templateOf(UPDATE);
    expect(missingValues(template, VALUES)).toEqual([]);
    expect(
      missingValues(template, { ...VALUES, title: undefined, recipientName: ' \n', nextUpdateAt: '' }),
    ).toEqual(['nextUpdateAt', 'recipientName', 'title']);
  });

  it('ignores values the template does not use and inherited properties', () => {
    const template = templateOf('Subject: {{constructor}}\n\nx');
    expect(missingValues(template, { other: 'x' })).toEqual(['constructor']);
  });
});

describe('renderMessageTemplate', () => {
  it('fills in the subject, the text and an HTML document', () => {
    const rendered = renderMessageTemplate(templateOf(UPDATE), VALUES);
    expect(rendered.subject).toBe('[INC-2026-0042] Security incident update: Unusual sign-ins');
    expect(rendered.text).toBe(
      'Hello Ada,\n\nWe saw sign-ins from an unknown network.\nNext update by 14:00 UTC.',
    );
    expect(rendered.html).toBe(
      '<!DOCTYPE html><html><head><meta charset="utf-8">' +
        '<title>[INC-2026-0042] Security incident update: Unusual sign-ins</title></head><body>' +
        '<p>Hello Ada,</p><p>We saw sign-ins from an unknown network.<br>Next update by 14:00 UTC.</p>' +
        '</body></html>',
    );
  });

  it('escapes markup in values and in the template text, so no value can inject markup', () => {
    const template = templateOf('Subject: {{title}} & <more>\n\nSee <b>this</b> & "{{whatHappened}}"\n');
    const rendered = renderMessageTemplate(template, {
      title: '<script>alert(1)</script>',
      whatHappened: `"&'<img src=x onerror=alert(1)>`,
    });
    expect(rendered.html).not.toMatch(/<script|<img|<b>/);
    expect(rendered.html).toContain(
      '<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;more&gt;</title>',
    );
    expect(rendered.html).toContain(
      '<p>See &lt;b&gt;this&lt;/b&gt; &amp; &quot;&quot;&amp;&#39;&lt;img src=x onerror=alert(1)&gt;&quot;</p>',
    );
    // The text form is plain text: values go in as they are.
    expect(rendered.text).toBe(`See <b>this</b> & ""&'<img src=x onerror=alert(1)>"`);
  });

  it('keeps a value on one subject line, so it cannot add a mail header', () => {
    const template = templateOf('Subject: [{{reference}}] {{title}}\n\nbody');
    const rendered = renderMessageTemplate(template, {
      reference: 'INC-1',
      title: 'Outage\r\nBcc: attacker@example.com\n\u2028 ',
    });
    expect(rendered.subject).toBe('[INC-1] Outage Bcc: attacker@example.com');
    expect(rendered.subject).not.toMatch(/[\r\n\u2028]/);
  });

  it("turns a value's own line breaks into <br>, and blank lines of the template into paragraphs", () => {
    const template = templateOf('Subject: x\n\nFirst line\nsecond line\n\n  \n{{whatHappened}}');
    const rendered = renderMessageTemplate(template, { whatHappened: 'One.\r\n\r\nTwo.' });
    expect(rendered.text).toBe('First line\nsecond line\n\n  \nOne.\n\nTwo.');
    expect(rendered.html).toContain('<body><p>First line<br>second line</p><p>One.<br><br>Two.</p></body>');
  });

  it('does not expand placeholders inside values', () => {
    const template = templateOf('Subject: {{title}}\n\n{{whatHappened}}');
    const rendered = renderMessageTemplate(template, { title: '{{reference}}', whatHappened: '{{title}}' });
    expect(rendered.subject).toBe('{{reference}}');
    expect(rendered.text).toBe('{{title}}');
  });

  it('renders a template read with CRLF line endings with \\n line endings', () => {
    const template = templateOf(UPDATE.replaceAll('\n', '\r\n'));
    expect(renderMessageTemplate(template, VALUES).text).not.toContain('\r');
  });

  it('throws, naming every missing variable, rather than send a blank', () => {
    expect(() =>
      renderMessageTemplate(templateOf(UPDATE), { ...VALUES, title: ' ', whatHappened: undefined }),
    ).toThrow('template "customer_update" needs a value for title, whatHappened');
  });
});
