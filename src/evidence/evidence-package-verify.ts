/**
 * Offline verification of an evidence package: needs the ZIP and nothing
 * else (no server, no database). Every file is hashed and measured against
 * the manifest, files missing from either side are named, the manifest is
 * checked against the hash in the archive comment and against its schema,
 * and the audit segment is checked entry by entry (see checkSegment).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { manifestHashFromComment, parseManifest } from './evidence-package-manifest.ts';
import { checkSegment } from './evidence-package-segment.ts';
import { MANIFEST_PATH, type PackageManifest, SEGMENT_PATH } from './evidence-package-types.ts';

/** A file as read from the archive. */
interface ReadFile {
  sha256: string;
  size: number;
  /** Kept for the two files the verifier parses. */
  bytes: Buffer | null;
  /** Why it could not be read (a corrupt compressed stream, a size that does not match). */
  error: string | null;
}

/** The verdict: ok, what is wrong (one line each), and what the package says it is. */
export interface PackageVerification {
  ok: boolean;
  problems: string[];
  summary: {
    reference: string;
    incidentId: string;
    policyVersion: string;
    lastChangeAt: string;
    files: number;
    purged: number;
    auditEntries: number;
    lastSeq: number | null;
    lastHash: string | null;
  } | null;
}

const KEEP = new Set([MANIFEST_PATH, SEGMENT_PATH]);

async function hashStream(stream: Readable, keep: boolean): Promise<Omit<ReadFile, 'error'>> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (keep) chunks.push(chunk);
  }
  return { sha256: hash.digest('hex'), size, bytes: keep ? Buffer.concat(chunks) : null };
}

/** Reads every file of the archive; duplicates and unreadable files are problems, not failures. */
async function readArchive(path: string, problems: string[]) {
  const zip = await yauzl.openPromise(path, {
    lazyEntries: true,
    validateEntrySizes: true,
    strictFileNames: false,
  });
  const files = new Map<string, ReadFile>();
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (files.has(name)) problems.push(`${name}: appears more than once in the archive`);
      try {
        const read = await hashStream(await zip.openReadStreamPromise(entry), KEEP.has(name));
        files.set(name, { ...read, error: null });
      } catch (error) {
        files.set(name, { sha256: '', size: 0, bytes: null, error: (error as Error).message });
      }
    }
  } finally {
    zip.close();
  }
  return { files, comment: zip.comment };
}

function checkManifestHash(file: ReadFile, comment: string, problems: string[]): void {
  const recorded = manifestHashFromComment(comment);
  if (!recorded) {
    problems.push(
      `${MANIFEST_PATH}: the archive comment does not record its SHA-256 (comment: "${comment}")`,
    );
  } else if (recorded !== file.sha256) {
    problems.push(
      `${MANIFEST_PATH}: SHA-256 expected ${recorded} (archive comment), found ${file.sha256}: the manifest was changed`,
    );
  }
}

function checkFiles(manifest: PackageManifest, files: Map<string, ReadFile>, problems: string[]): void {
  const listed = new Set<string>();
  for (const expected of manifest.files) {
    if (listed.has(expected.path))
      problems.push(`${expected.path}: listed more than once in ${MANIFEST_PATH}`);
    listed.add(expected.path);
    const found = files.get(expected.path);
    if (!found) {
      problems.push(`${expected.path}: listed in ${MANIFEST_PATH} but missing from the package`);
    } else if (found.error) {
      problems.push(`${expected.path}: cannot be read (${found.error})`);
    } else if (found.sha256 !== expected.sha256) {
      problems.push(`${expected.path}: SHA-256 expected ${expected.sha256}, found ${found.sha256}`);
    } else if (found.size !== expected.size) {
      problems.push(`${expected.path}: size expected ${expected.size} bytes, found ${found.size}`);
    }
  }
  for (const name of files.keys()) {
    if (name !== MANIFEST_PATH && !listed.has(name))
      problems.push(`${name}: present but not listed in ${MANIFEST_PATH}`);
  }
}

/** The segment's entries against their chain data and against what the manifest says of them. */
function checkAudit(manifest: PackageManifest, file: ReadFile | undefined, problems: string[]): void {
  if (!file?.bytes) return; // Missing or unreadable: already named by checkFiles.
  let entries: unknown;
  try {
    entries = JSON.parse(file.bytes.toString('utf8'));
  } catch (error) {
    problems.push(`${SEGMENT_PATH}: is not valid JSON (${(error as Error).message})`);
    return;
  }
  if (!Array.isArray(entries)) {
    problems.push(`${SEGMENT_PATH}: is not a list of audit entries`);
    return;
  }
  for (const issue of checkSegment(entries)) {
    problems.push(
      issue.seq === null ? `${SEGMENT_PATH}: ${issue.reason}` : `audit seq ${issue.seq}: ${issue.reason}`,
    );
  }
  for (const e of entries as { seq?: unknown; subjectType?: unknown; subjectId?: unknown }[]) {
    if (e?.subjectType === 'incident' && e.subjectId !== manifest.incident.id) {
      problems.push(
        `audit seq ${String(e.seq)}: is about incident ${String(e.subjectId)}, not ${manifest.incident.id}`,
      );
    }
  }
  const last = entries[entries.length - 1] as { seq?: unknown; at?: unknown; hash?: unknown } | undefined;
  const { audit } = manifest;
  if (audit.entries !== entries.length) {
    problems.push(`${MANIFEST_PATH}: audit.entries is ${audit.entries}, the segment holds ${entries.length}`);
  }
  if ((last?.seq ?? null) !== audit.lastSeq || (last?.hash ?? null) !== audit.lastHash) {
    problems.push(`${MANIFEST_PATH}: audit.lastSeq/lastHash do not name the segment's last entry`);
  }
  if (last && typeof last.at === 'string' && Date.parse(last.at) !== Date.parse(manifest.lastChangeAt)) {
    problems.push(
      `${MANIFEST_PATH}: lastChangeAt ${manifest.lastChangeAt} is not the last audit entry's time ${last.at}`,
    );
  }
}

/**
 * Verifies the package at `path`.
 *
 * @example
 * const result = await verifyPackage('INC-7-evidence.zip');
 * if (!result.ok) for (const line of result.problems) console.error(line);
 */
export async function verifyPackage(path: string): Promise<PackageVerification> {
  const problems: string[] = [];
  let archive: Awaited<ReturnType<typeof readArchive>>;
  try {
    archive = await readArchive(path, problems);
  } catch (error) {
    return {
      ok: false,
      problems: [`cannot read ${path} as a ZIP archive: ${(error as Error).message}`],
      summary: null,
    };
  }
  const manifestFile = archive.files.get(MANIFEST_PATH);
  if (!manifestFile?.bytes) {
    const why = manifestFile?.error ? `cannot be read (${manifestFile.error})` : 'is missing';
    return { ok: false, problems: [...problems, `${MANIFEST_PATH}: ${why}`], summary: null };
  }
  checkManifestHash(manifestFile, archive.comment, problems);
  const parsed = parseManifest(manifestFile.bytes);
  if ('problems' in parsed) {
    return {
      ok: false,
      problems: [...problems, ...parsed.problems.map((p) => `${MANIFEST_PATH}: ${p}`)],
      summary: null,
    };
  }
  const { manifest } = parsed;
  checkFiles(manifest, archive.files, problems);
  checkAudit(manifest, archive.files.get(SEGMENT_PATH), problems);
  return {
    ok: problems.length === 0,
    problems,
    summary: {
      reference: manifest.incident.reference,
      incidentId: manifest.incident.id,
      policyVersion: manifest.policyVersion,
      lastChangeAt: manifest.lastChangeAt,
      files: manifest.files.length,
      purged: manifest.purged.length,
      auditEntries: manifest.audit.entries,
      lastSeq: manifest.audit.lastSeq,
      lastHash: manifest.audit.lastHash,
    },
  };
}
