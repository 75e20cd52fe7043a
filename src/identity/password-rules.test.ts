import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPasswordRules, parsePasswordList, passwordRefusals } from './password-rules.ts';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

function blocklistFile(lines: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-blocklist-'));
  const file = path.join(dir, 'blocklist.txt');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

describe('passwordRefusals', () => {
  const rules = loadPasswordRules({
    blocklistFile: blocklistFile([
      '# breached at Example Corp',
      'Orange-Giraffe-Kettle',
      `${sha1('tangerine submarine 42').toUpperCase()}:1337`,
      sha1('lowercase hash line ok'),
    ]),
  });
  const rulesOf = (password: string, email = 'ana.lopez@example.com') =>
    passwordRefusals(password, email, rules).map((r) => r.rule);

  it.each([
    ['a long passphrase', 'wild plum orchard at dusk', []],
    ['eleven characters', 'plum-orchid', ['min_length']],
    ['exactly twelve characters', 'plum-orchid!', []],
    ['a common password', 'password1234', ['common']],
    ['a common password in other case', 'PassWord1234', ['common']],
    ['a short common password', 'qwerty', ['min_length', 'common']],
    ['on the plain blocklist, any case', 'orange-giraffe-kettle', ['blocklist']],
    ['on the blocklist as SHA-1 with a count', 'tangerine submarine 42', ['blocklist']],
    ['on the blocklist as lower-case SHA-1', 'lowercase hash line ok', ['blocklist']],
    ['the whole local part', 'xx-ana.lopez-2026', ['contains_email']],
    ['a part of the local part, any case', 'Lopez family holidays', ['contains_email']],
    ['too long', 'x'.repeat(257), ['max_length']],
  ])('%s', (_name, password, expected) => {
    expect(rulesOf(password)).toEqual(expected);
  });

  it('ignores local parts too short to matter and counts characters, not bytes', () => {
    expect(rulesOf('bo is a good dog here', 'bo@example.com')).toEqual([]);
    expect(rulesOf('ééééééééééé')).toEqual(['min_length']);
  });

  it('names the rule in each reason and never repeats the password', () => {
    const refusals = passwordRefusals('ana.lopez', 'ana.lopez@example.com', rules);
    expect(refusals.map((r) => r.reason).join(' ')).toContain('rule min_length');
    expect(refusals.map((r) => r.reason).join(' ')).toContain('rule contains_email');
    expect(JSON.stringify(refusals)).not.toContain('ana.lopez');
  });

  it('takes the minimum length from configuration', () => {
    const strict = loadPasswordRules({ minLength: 20 });
    expect(passwordRefusals('wild plum orchard', 'x@example.com', strict).map((r) => r.rule)).toEqual([
      'min_length',
    ]);
  });
});

describe('the built-in list', () => {
  it('holds about two hundred entries, lower-cased', () => {
    const rules = loadPasswordRules({});
    expect(rules.common.size).toBeGreaterThanOrEqual(200);
    expect(rules.common.has('password@2026')).toBe(true);
    expect(rules.blocked.size).toBe(0);
  });

  it('parses comments, blanks, plain and hash lines', () => {
    const list = parsePasswordList(
      `# c\n\nHunter2\r\n${'a'.repeat(40)}\n${'b'.repeat(40)}:12\n${'c'.repeat(39)}\n`,
    );
    expect([...list.plain]).toEqual(['hunter2', 'c'.repeat(39)]);
    expect([...list.sha1]).toEqual(['A'.repeat(40), 'B'.repeat(40)]);
  });
});
