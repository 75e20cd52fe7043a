/**
 * The evidence store in an S3-compatible bucket, for several Vigil nodes
 * sharing one PostgreSQL database. Content lives at
 * `<prefix>ab/cd/<sha256>` as on disk. A put streams to `<prefix>tmp/<uuid>`
 * (multipart, at most `queueSize × partSize` in memory) while hashing, then
 * copies it server-side to its hash name and deletes the temp object: an
 * object appears whole or not at all, so a reader never sees half a file
 * under a hash name. A crash can leave `tmp/` objects behind; a bucket
 * lifecycle rule expiring `tmp/` after a day removes them.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotFound } from '../platform/errors.ts';
import { type EvidenceStore, metered, SHA256_HEX } from './evidence-store.ts';

/** Where the bucket is; credentials come from the SDK's usual sources (AWS_ACCESS_KEY_ID, roles, ...). */
export interface EvidenceS3Settings {
  bucket: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2, ...); undefined for AWS itself. */
  endpoint?: string | undefined;
  region: string;
  /** Prepended to every key, e.g. `vigil/evidence/`. */
  prefix: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Only for tests and servers without the SDK's credential sources. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** S3 refuses a single CopyObject above 5 GiB; the policy's attachment limit must stay below it. */
export const S3_COPY_LIMIT_BYTES = 5 * 1024 ** 3;

function isMissing(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)
  );
}

export function createEvidenceS3Store(settings: EvidenceS3Settings, client?: S3Client): EvidenceStore {
  const s3 =
    client ??
    new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    });
  const Bucket = settings.bucket;

  function keyOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new NotFound('evidence content', sha256);
    return `${settings.prefix}${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  async function exists(Key: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket, Key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Streams `content` to a temp object; nothing stays behind if it fails. */
  async function uploadTemp(content: Readable, maxBytes: number) {
    const temp = `${settings.prefix}tmp/${randomUUID()}`;
    const counted = metered(content, Math.min(maxBytes, S3_COPY_LIMIT_BYTES));
    // The SDK aborts a failed multipart upload itself; a failed single put stores nothing.
    const upload = new Upload({ client: s3, params: { Bucket, Key: temp, Body: counted.transform } });
    try {
      await upload.done();
    } catch (error) {
      counted.release(true);
      await s3.send(new DeleteObjectCommand({ Bucket, Key: temp })).catch(() => undefined);
      throw error;
    }
    counted.release(false);
    return { temp, ...counted.result() };
  }

  return {
    async put(content, maxBytes) {
      const { temp, sha256, sizeBytes } = await uploadTemp(content, maxBytes);
      const target = keyOf(sha256);
      try {
        if (!(await exists(target))) {
          await s3.send(
            new CopyObjectCommand({ Bucket, Key: target, CopySource: `${Bucket}/${encodeURI(temp)}` }),
          );
        }
      } finally {
        await s3.send(new DeleteObjectCommand({ Bucket, Key: temp }));
      }
      return { sha256, sizeBytes };
    },

    async open(sha256) {
      const Key = keyOf(sha256);
      try {
        const answer = await s3.send(new GetObjectCommand({ Bucket, Key }));
        return answer.Body as Readable;
      } catch (error) {
        if (isMissing(error)) throw new NotFound('evidence content', sha256);
        throw error;
      }
    },

    async has(sha256) {
      return SHA256_HEX.test(sha256) && exists(keyOf(sha256));
    },

    async remove(sha256) {
      if (!SHA256_HEX.test(sha256)) return false;
      const Key = keyOf(sha256);
      // S3 deletes answer the same whether or not the object was there.
      if (!(await exists(Key))) return false;
      await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      return true;
    },
  };
}
