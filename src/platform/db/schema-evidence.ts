/**
 * Storage rows of the evidence vault. Part of {@link VigilDatabase} (schema.ts).
 */
import type { ColumnType } from 'kysely';
import type { DbInstant } from './schema.ts';

export interface EvidenceItemsTable {
  id: string;
  incident_id: string;
  /** Lower-case hex SHA-256 of the content in the evidence store. */
  sha256: string;
  /** `bigint` on both engines; database.ts reads PostgreSQL's int8 back as a number. */
  size_bytes: number;
  media_type: string;
  filename: string;
  description: ColumnType<string, string | undefined, string>;
  /** Actor string, `user:EMAIL`. */
  added_by: string;
  added_at: DbInstant;
  /** When retention removed the content. */
  purged_at: DbInstant | null;
}
