/** Types of the evidence vault. */

/** One attachment of an incident: who added what, when, and the hash of its content. */
export interface EvidenceItem {
  id: string;
  incidentId: string;
  /** Lower-case hex SHA-256 of the content; the store's address for it. */
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  filename: string;
  description: string;
  /** Actor string, `user:EMAIL`. */
  addedBy: string;
  addedAt: Date;
  /** When retention removed the content; the row stays as the record that it existed. */
  purgedAt: Date | null;
}

/** What a person says about an attachment when adding it. */
export interface EvidenceAttachInput {
  filename: string;
  mediaType: string;
  description: string;
}

/** The largest filename and description the vault accepts. */
export const EVIDENCE_FILENAME_MAX = 255;
export const EVIDENCE_DESCRIPTION_MAX = 2000;

/** The media type of an upload that names none. */
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';
