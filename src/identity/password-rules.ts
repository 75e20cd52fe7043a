/**
 * Which passwords Vigil accepts: long enough, not among the very common ones
 * (built-in list), not on the operator's blocklist (plain text or SHA-1 lines,
 * so a Have I Been Pwned style list works), and not built from the account's
 * email. `passwordRefusals` is pure; `loadPasswordRules` reads the lists once
 * at start-up.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const DEFAULT_PASSWORD_MIN_LENGTH = 12;
/** Longer input is refused before hashing: argon2 over megabytes would be a cheap denial of service. */
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordRule = 'min_length' | 'max_length' | 'common' | 'blocklist' | 'contains_email';

export interface PasswordRefusal {
  rule: PasswordRule;
  reason: string;
}

export interface PasswordRules {
  minLength: number;
  /** Lower-cased plain entries: the built-in list and the blocklist's plain lines. */
  common: ReadonlySet<string>;
  /** Lower-cased plain lines of the configured blocklist file. */
  blocked: ReadonlySet<string>;
  /** Upper-case SHA-1 hex of blocked passwords (the blocklist's hash lines). */
  blockedSha1: ReadonlySet<string>;
}

/** A list's entries: one per line; blank lines and `#` comments skipped; `HASH:count` lines (HIBP) kept as hashes. */
export function parsePasswordList(text: string): { plain: Set<string>; sha1: Set<string> } {
  const plain = new Set<string>();
  const sha1 = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const hash = /^([0-9a-fA-F]{40})(?::\d+)?$/.exec(line);
    if (hash) sha1.add(hash[1]!.toUpperCase());
    else plain.add(line.toLowerCase());
  }
  return { plain, sha1 };
}

/** Parts of the email's local part long enough to matter (`ana.lopez+vigil` → ana.lopez+vigil, lopez, vigil). */
function emailParts(email: string): string[] {
  const local = email.toLowerCase().split('@')[0] ?? '';
  const parts = local.split(/[._+-]+/).filter((p) => p.length >= 4);
  return local.length >= 3 ? [local, ...parts] : parts;
}

/**
 * Every rule `password` breaks for the account `email`; empty when it is
 * acceptable. Reasons never repeat the password.
 */
export function passwordRefusals(password: string, email: string, rules: PasswordRules): PasswordRefusal[] {
  const refusals: PasswordRefusal[] = [];
  const length = [...password].length;
  if (length < rules.minLength) {
    refusals.push({
      rule: 'min_length',
      reason: `must be at least ${rules.minLength} characters (rule min_length)`,
    });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    refusals.push({
      rule: 'max_length',
      reason: `must be at most ${PASSWORD_MAX_LENGTH} characters (rule max_length)`,
    });
  }
  const lower = password.toLowerCase();
  if (rules.common.has(lower)) {
    refusals.push({ rule: 'common', reason: 'is one of the most common passwords (rule common)' });
  }
  const sha1 = createHash('sha1').update(password).digest('hex').toUpperCase();
  if (rules.blocked.has(lower) || rules.blockedSha1.has(sha1)) {
    refusals.push({
      rule: 'blocklist',
      reason: 'is on the configured list of breached passwords (rule blocklist)',
    });
  }
  if (emailParts(email).some((part) => lower.includes(part))) {
    refusals.push({
      rule: 'contains_email',
      reason: "must not contain the account's email name (rule contains_email)",
    });
  }
  return refusals;
}

const BUILT_IN_LIST = new URL('./common-passwords.txt', import.meta.url);

/**
 * Reads the built-in list and the optional blocklist file (start-up only).
 * A blocklist is held in memory: for a full breached-password corpus, give
 * a subset (e.g. the hashes seen most often).
 */
export function loadPasswordRules(options: {
  minLength?: number;
  blocklistFile?: string | undefined;
}): PasswordRules {
  const builtIn = parsePasswordList(readFileSync(BUILT_IN_LIST, 'utf8'));
  const blocklist = options.blocklistFile
    ? parsePasswordList(readFileSync(options.blocklistFile, 'utf8'))
    : { plain: new Set<string>(), sha1: new Set<string>() };
  return {
    minLength: options.minLength ?? DEFAULT_PASSWORD_MIN_LENGTH,
    common: builtIn.plain,
    blocked: blocklist.plain,
    blockedSha1: new Set([...builtIn.sha1, ...blocklist.sha1]),
  };
}
