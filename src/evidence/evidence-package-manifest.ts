/**
 * The manifest of an evidence package (pure): how it is written, and the
 * schema a verifier reads it back with.
 */
import { z } from 'zod';
import { canonicalJson, sha256Hex } from '../platform/crypto.ts';
import {
  COMMENT_PREFIX,
  PACKAGE_FORMAT,
  type PackageFileEntry,
  type PackageManifest,
  type PurgedAttachment,
} from './evidence-package-types.ts';

/**
 * JSON for people and for hashing alike: keys sorted at every depth (as in
 * the audit log's canonical JSON), two-space indent, a final newline. Equal
 * values always give equal bytes.
 */
export function prettyJson(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`, 'utf8');
}

/** The manifest entry of a file held in memory. */
export function fileEntry(path: string, bytes: Buffer): PackageFileEntry {
  return { path, sha256: sha256Hex(bytes), size: bytes.length };
}

/** Sorts by path as plain code-unit order, the same on every machine (no locale). */
export function byPath<T extends { path: string }>(a: T, b: T): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Builds the manifest; files are sorted by path here, whatever order they arrive in. */
export function buildManifest(input: Omit<PackageManifest, 'format'>): PackageManifest {
  return {
    format: PACKAGE_FORMAT,
    incident: input.incident,
    policyVersion: input.policyVersion,
    lastChangeAt: input.lastChangeAt,
    audit: input.audit,
    files: [...input.files].sort(byPath),
    purged: [...input.purged].sort((a, b) => byPath({ path: a.itemId }, { path: b.itemId })),
  };
}

/** The ZIP's archive comment: the manifest's SHA-256, so an edited manifest is told apart from an edited file. */
export function archiveComment(manifestBytes: Buffer): string {
  return `${COMMENT_PREFIX}${sha256Hex(manifestBytes)}`;
}

/** The manifest hash an archive comment records, or null when the comment is not one of ours. */
export function manifestHashFromComment(comment: string): string | null {
  const match = /^vigil-evidence-package manifest-sha256=([0-9a-f]{64})$/.exec(comment.trim());
  return match ? match[1]! : null;
}

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');
const Instant = z.iso.datetime();

const PurgedSchema: z.ZodType<PurgedAttachment> = z.object({
  itemId: z.string(),
  filename: z.string(),
  sha256: Sha256,
  sizeBytes: z.number().int().nonnegative(),
  purgedAt: Instant,
});

/** The manifest as a verifier accepts it. */
export const ManifestSchema = z.object({
  format: z.literal(PACKAGE_FORMAT),
  incident: z.object({ id: z.string().min(1), reference: z.string().min(1) }),
  policyVersion: z.string().min(1),
  lastChangeAt: Instant,
  audit: z.object({
    entries: z.number().int().nonnegative(),
    firstSeq: z.number().int().nullable(),
    lastSeq: z.number().int().nullable(),
    lastHash: Sha256.nullable(),
  }),
  files: z.array(z.object({ path: z.string().min(1), sha256: Sha256, size: z.number().int().nonnegative() })),
  purged: z.array(PurgedSchema),
});

/** Reads a manifest: the manifest, or the list of what is wrong with it. */
export function parseManifest(bytes: Buffer): { manifest: PackageManifest } | { problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { problems: [`is not valid JSON (${(error as Error).message})`] };
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  return { manifest: parsed.data as PackageManifest };
}
