/**
 * The policy version: one hash over the policy file and every other file it uses (the runbooks
 * it names and the message templates it sends with), so that a lesson learned that changes only
 * a runbook or the wording of one message still gives a new version, and an incident names
 * exactly the steps it was shown and the words that could be sent.
 *
 * Files of the policy folder are bundled under their path as written in the policy. Templates
 * that the policy does not replace come from Vigil itself; they are bundled under
 * {@link BUILT_IN_PATH_PREFIX} and their file name, e.g. `(built-in)/templates/resolution.txt`.
 * The prefix cannot collide with a policy-folder path: such paths are made of segments that may
 * not contain `(` or `)` (see isPolicyFolderPath in policy-types.ts). Upgrading Vigil to a
 * release whose built-in templates differ therefore changes the version of a policy that uses
 * them, as it should: the words sent have changed.
 */
import { sha256Hex } from '../platform/crypto.ts';

/** Prefix of the bundle path of a file shipped with Vigil rather than read from the policy folder. */
export const BUILT_IN_PATH_PREFIX = '(built-in)/';

/** `sha256:` followed by the lower-case hex SHA-256 of `bytes`. */
export function policyVersion(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}

/** `bytes` preceded by their length as an unsigned 64-bit big-endian integer. */
function framed(bytes: Uint8Array): Uint8Array[] {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(bytes.byteLength));
  return [length, bytes];
}

/**
 * The canonical bytes of a policy and its files: the policy file's bytes, then for each
 * runbook or template, in ascending order of path, the path (UTF-8) and the file's bytes; every one of these
 * parts is preceded by its length in bytes as an unsigned 64-bit big-endian integer, so no two
 * different bundles give the same bytes.
 *
 * @param files runbook and template files with paths relative to the policy file's folder (or
 *   under {@link BUILT_IN_PATH_PREFIX}); the order given does not matter, each path must appear once.
 * @example
 * policyBundle(Buffer.from('schemaVersion: 1\n'), [{ path: 'runbooks/a.md', bytes: Buffer.from('## contain\n') }]);
 * // 00 00 00 00 00 00 00 11 "schemaVersion: 1\n" 00 .. 0d "runbooks/a.md" 00 .. 0b "## contain\n"
 */
export function policyBundle(
  policyBytes: Uint8Array,
  files: readonly { path: string; bytes: Uint8Array }[],
): Uint8Array {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const parts = [policyBytes, ...sorted.flatMap((file) => [Buffer.from(file.path, 'utf8'), file.bytes])];
  return Buffer.concat(parts.flatMap(framed));
}

/**
 * The version of a policy with its files: {@link policyVersion} of {@link policyBundle}.
 * The same bytes always give the same version; any changed byte, in the policy file, a runbook
 * or a template, gives another.
 */
export function policyBundleVersion(
  policyBytes: Uint8Array,
  files: readonly { path: string; bytes: Uint8Array }[],
): string {
  return policyVersion(policyBundle(policyBytes, files));
}
