/**
 * Where evidence content lives: bytes addressed by their SHA-256, so the
 * name of a file is also the proof of its content. The vault's rows
 * (`evidence_items`) point at content by hash; several items may share one.
 */
import { createHash } from 'node:crypto';
import { finished, type Readable, Transform } from 'node:stream';
import { PayloadTooLarge } from '../platform/errors.ts';

export interface EvidenceStore {
  /**
   * Streams `content` in, hashing as it goes. Past `maxBytes` it throws
   * PayloadTooLarge and keeps nothing. The same content twice is stored once.
   */
  put(content: Readable, maxBytes: number): Promise<{ sha256: string; sizeBytes: number }>;
  /** A stream of the stored bytes; NotFound when absent. */
  open(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  /** Removes the content; false when it was not there. */
  remove(sha256: string): Promise<boolean>;
}

/** Lower-case hex SHA-256: the only names a store accepts, so no name can escape its directory. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Counts and hashes what passes through; fails with PayloadTooLarge past `maxBytes`. */
export function meter(maxBytes: number) {
  const hash = createHash('sha256');
  let size = 0;
  const transform = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) {
        done(new PayloadTooLarge(maxBytes));
        return;
      }
      hash.update(bytes);
      done(null, bytes);
    },
  });
  return { transform, result: () => ({ sha256: hash.digest('hex'), sizeBytes: size }) };
}

/**
 * Pipes `content` through a {@link meter} without ever destroying it: on a
 * refusal the caller still owns its stream (an HTTP request must stay open
 * long enough to answer 413). A source that fails or closes early (a client
 * gone mid-upload) fails the metered stream. Call `release` when done.
 */
export function metered(content: Readable, maxBytes: number) {
  const counted = meter(maxBytes);
  const stopWatching = finished(content, { writable: false }, (error) => {
    if (error) counted.transform.destroy(error);
  });
  content.pipe(counted.transform);
  return {
    ...counted,
    release(failed: boolean) {
      if (failed) content.unpipe(counted.transform);
      stopWatching();
    },
  };
}
