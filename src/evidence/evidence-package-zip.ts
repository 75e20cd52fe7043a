/**
 * Writes an evidence package as a ZIP file, byte for byte the same for the
 * same members: a fixed member order (as given), a fixed modification time
 * on every entry, a fixed compression choice per member, and the comment.
 * Attachments are streamed from the vault into the archive, hashed on the
 * way and checked against the hash they are stored under, never buffered.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import type { PackageMember } from './evidence-package-types.ts';

/**
 * The entry time. ZIP's DOS timestamps hold a local wall time with no zone
 * and yazl fills them in the process's zone; shifting by the zone offset
 * makes them hold the UTC wall time instead, so servers in different zones
 * write the same bytes.
 */
function entryTime(at: Date): Date {
  return new Date(at.getTime() + at.getTimezoneOffset() * 60_000);
}

/** Passes bytes through, failing at the end when they are not the content the hash names. */
class HashCheck extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  constructor(
    private readonly path: string,
    private readonly sha256: string,
    private readonly size: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    const found = this.hash.digest('hex');
    if (found === this.sha256 && this.bytes === this.size) {
      callback();
      return;
    }
    callback(
      new Error(
        `${this.path}: the vault's content is not what it was stored as (expected sha256 ${this.sha256}, ${this.size} bytes; read ${found}, ${this.bytes} bytes)`,
      ),
    );
  }
}

/** Counts and hashes the archive as it is written. */
class ArchiveHash extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/**
 * Writes `members` in order to `file`.
 *
 * @param mtime every entry's modification time (the package's last change).
 * @returns the archive's SHA-256 (lower-case hex) and size in bytes.
 */
export async function writePackageZip(
  file: string,
  members: readonly PackageMember[],
  options: { mtime: Date; comment: string },
): Promise<{ sha256: string; sizeBytes: number }> {
  const zip = new ZipFile();
  const common = { mtime: entryTime(options.mtime), mode: 0o100644, forceDosTimestamp: true };
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    // A member stream that fails leaves yazl waiting for data; ending the output unblocks the pipeline.
    (zip.outputStream as Readable).destroy(error);
  };
  zip.on('error', fail);
  for (const member of members) {
    if (member.kind === 'bytes') {
      zip.addBuffer(member.bytes, member.path, { ...common, compress: member.compress });
      continue;
    }
    zip.addReadStreamLazy(member.path, { ...common, compress: false, size: member.size }, (callback) => {
      member.open().then(
        (source: Readable) => {
          const checked = new HashCheck(member.path, member.sha256, member.size);
          source.on('error', fail);
          checked.on('error', fail);
          callback(null, source.pipe(checked));
        },
        // Content the vault should hold but cannot hand out is a fault of the server, not of the request (500).
        (error: Error) => fail(new Error(`${member.path}: cannot be read from the vault (${error.message})`)),
      );
    });
  }
  zip.end({ comment: options.comment, forceZip64Format: false });
  const counter = new ArchiveHash();
  try {
    await pipeline(zip.outputStream, counter, createWriteStream(file));
  } catch (error) {
    throw failure ?? error;
  }
  if (failure) throw failure;
  return { sha256: counter.hash.digest('hex'), sizeBytes: counter.bytes };
}
