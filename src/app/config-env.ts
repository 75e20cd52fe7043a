/**
 * Reading single values from the environment, for config.ts and its parts
 * (the only readers of `process.env`): whole numbers in a range, and
 * secrets given either inline or as a file (`<NAME>_FILE`, the way Docker
 * and Kubernetes mount secrets). Errors name the variable, never its value.
 */
import fs from 'node:fs';
import { ValidationFailed } from '../platform/errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a secret file; injectable for tests. */
export type ReadFile = (path: string) => string;

export const readTextFile: ReadFile = (path) => fs.readFileSync(path, 'utf8');

export function integerIn(text: string, field: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new ValidationFailed([
      { field, reason: `must be a whole number from ${min} to ${max}, got "${text}"` },
    ]);
  }
  return value;
}

/**
 * A secret from `NAME`, or from the file `NAME_FILE` names (trimmed, so a
 * trailing newline does not count); undefined when neither is set. Both set
 * is an error, as is a file that cannot be read or is empty: the error names
 * the variable, and the secret never appears in it.
 *
 * @example secretFrom(env, 'VIGIL_SMTP_URL') // env.VIGIL_SMTP_URL, or the content of env.VIGIL_SMTP_URL_FILE
 */
export function secretFrom(env: Env, name: string, readFile: ReadFile = readTextFile): string | undefined {
  const inline = env[name]?.trim() || undefined;
  const fileName = `${name}_FILE`;
  const path = env[fileName]?.trim() || undefined;
  if (inline && path) {
    throw new ValidationFailed([{ field: name, reason: `set ${name} or ${fileName}, not both` }]);
  }
  if (!path) return inline;
  let text: string;
  try {
    text = readFile(path).trim();
  } catch {
    throw new ValidationFailed([{ field: fileName, reason: `cannot read the file ${path}` }]);
  }
  if (!text) throw new ValidationFailed([{ field: fileName, reason: `names an empty file (${path})` }]);
  return text;
}
