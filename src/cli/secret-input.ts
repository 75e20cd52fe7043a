/**
 * Secrets (passwords) reach the CLI on standard input, never as arguments:
 * arguments show in `ps`, in shell history and in CI logs.
 *
 * @example printf '%s\n' "$NEW_PASSWORD" | vigil user password ana@example.com
 */
import { ValidationFailed } from '../platform/errors.ts';

/** All of standard input as UTF-8 text. */
export async function readStandardInput(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** The secret in piped input: the first line, without its line ending; an error when empty. */
export function secretFromInput(text: string): string {
  const secret = text.split(/\r?\n/)[0] ?? '';
  if (secret === '') {
    throw new ValidationFailed([
      {
        field: 'stdin',
        reason: 'no password on standard input: pipe it in, e.g. printf "%s\\n" "$PASSWORD" | vigil ...',
      },
    ]);
  }
  return secret;
}
