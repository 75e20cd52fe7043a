/**
 * The evidence store on local disk: each content under
 * `<dir>/ab/cd/<sha256>` (the first two pairs of hex digits fan the files
 * out so no directory grows huge). A put streams into `<dir>/tmp/` while
 * hashing, fsyncs, then renames into place: rename is atomic within one
 * file system, so a crash leaves at most a stray temp file, never a half
 * file under a hash name. Nothing is ever held whole in memory.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFound } from '../platform/errors.ts';
import { type EvidenceStore, metered, SHA256_HEX } from './evidence-store.ts';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot fsync a directory; the file's own fsync still holds.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}

/**
 * A store under `dir` (created when missing). Leftover `tmp/*.part` files
 * after a crash hold no named content and may be deleted while Vigil is
 * stopped.
 */
export function createEvidenceDiskStore(dir: string): EvidenceStore {
  const root = path.resolve(dir);
  const tempDir = path.join(root, 'tmp');

  function pathOf(sha256: string): string {
    // Only well-formed hashes name files, so no input can reach outside the store.
    if (!SHA256_HEX.test(sha256)) throw new NotFound('evidence content', sha256);
    return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async function exists(file: string): Promise<boolean> {
    try {
      await stat(file);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Streams `content` into a new temp file, fsynced before it closes; deletes the file if anything fails. */
  async function writeTemp(content: Readable, maxBytes: number) {
    await mkdir(tempDir, { recursive: true });
    const temp = path.join(tempDir, `${randomUUID()}.part`);
    const counted = metered(content, maxBytes);
    try {
      // `flush` fsyncs before the close the pipeline waits for: the bytes are on disk before the rename.
      await pipeline(counted.transform, createWriteStream(temp, { flags: 'wx', flush: true }));
    } catch (error) {
      counted.release(true);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    counted.release(false);
    return { temp, ...counted.result() };
  }

  return {
    async put(content, maxBytes) {
      const { temp, sha256, sizeBytes } = await writeTemp(content, maxBytes);
      const target = pathOf(sha256);
      try {
        if (await exists(target)) {
          // Identical content is already stored once; the copy is not needed.
          await unlink(temp);
        } else {
          await mkdir(path.dirname(target), { recursive: true });
          await rename(temp, target);
          await syncDirectory(path.dirname(target));
        }
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      return { sha256, sizeBytes };
    },

    async open(sha256) {
      const file = pathOf(sha256);
      try {
        const handle = await open(file, 'r');
        return handle.createReadStream();
      } catch (error) {
        if (isMissing(error)) throw new NotFound('evidence content', sha256);
        throw error;
      }
    },

    async has(sha256) {
      return SHA256_HEX.test(sha256) && exists(pathOf(sha256));
    },

    async remove(sha256) {
      if (!SHA256_HEX.test(sha256)) return false;
      try {
        await unlink(pathOf(sha256));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
  };
}
