/** Types of evidence packages: the ZIP an auditor verifies offline with `vigil verify-package`. */
import type { Readable } from 'node:stream';
import type { EvidenceItem } from './evidence-types.ts';

/** The manifest's `format`; a verifier refuses any other. */
export const PACKAGE_FORMAT = 'vigil-evidence-package/1';

/** The archive comment starts with this, followed by the manifest's SHA-256. */
export const COMMENT_PREFIX = 'vigil-evidence-package manifest-sha256=';

export const MANIFEST_PATH = 'manifest.json';
export const SEGMENT_PATH = 'audit/segment.json';

/** One file of the package, as the manifest lists it. */
export interface PackageFileEntry {
  path: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
  /** Bytes. */
  size: number;
}

/** An attachment whose content retention removed: listed, not included. */
export interface PurgedAttachment {
  itemId: string;
  filename: string;
  sha256: string;
  sizeBytes: number;
  /** ISO 8601 UTC. */
  purgedAt: string;
}

/**
 * `manifest.json`. It holds nothing about the export itself (who, when):
 * that is an access record in the audit log, so the same incident state
 * always gives the same manifest.
 */
export interface PackageManifest {
  format: typeof PACKAGE_FORMAT;
  incident: { id: string; reference: string };
  /** Content hash of the policy the incident was opened under. */
  policyVersion: string;
  /** The `at` of the last audit entry in the segment (ISO 8601 UTC): the latest change the package holds. */
  lastChangeAt: string;
  /** Where the segment sits in the live chain, to compare against `vigil audit verify`. */
  audit: { entries: number; firstSeq: number | null; lastSeq: number | null; lastHash: string | null };
  /** Every other file of the package, sorted by path. */
  files: PackageFileEntry[];
  purged: PurgedAttachment[];
}

/** An attachment as the package needs it: the vault's item, without the incident it belongs to. */
export type PackageAttachment = Omit<EvidenceItem, 'incidentId'>;

/** The vault, as packages see it: an incident's items, and a stream of one item's content. */
export interface PackageAttachments {
  list(incidentId: string): Promise<PackageAttachment[]>;
  open(sha256: string): Promise<Readable>;
}

/** For a Vigil without a vault: no incident has attachments. */
export const NO_ATTACHMENTS: PackageAttachments = {
  list: async () => [],
  open: async (sha256) => {
    throw new Error(`no evidence vault is configured (asked for ${sha256})`);
  },
};

/**
 * One file of the ZIP: bytes in memory (JSON, report, mail), or content
 * streamed from the vault when the writer reaches it, never held whole.
 */
export type PackageMember =
  | { path: string; kind: 'bytes'; bytes: Buffer; compress: boolean }
  | { path: string; kind: 'stream'; sha256: string; size: number; open: () => Promise<Readable> };

/** A built package, waiting in a temporary file. */
export interface EvidencePackage {
  /** `<reference>-evidence.zip` */
  fileName: string;
  /** SHA-256 of the whole ZIP, lower-case hex: the `ETag` and the audit record's `packageSha256`. */
  sha256: string;
  sizeBytes: number;
  lastChangeAt: Date;
  /** A stream of the ZIP; the temporary file is removed once it closes. Open it once. */
  stream(): Readable;
  /** Removes the temporary file without reading it. */
  discard(): Promise<void>;
}
