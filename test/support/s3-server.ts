import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { EvidenceS3Settings } from '../../src/evidence/evidence-s3-store.ts';

/** A real S3-compatible server (s3rver) on a free port, with one empty bucket, for a test. */
export interface S3Server {
  settings: EvidenceS3Settings;
  /** Every object key stored, for asserting that nothing was left behind. */
  keys(): string[];
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'vigil-evidence'): Promise<S3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const bucketDir = path.join(directory, bucket);
  return {
    settings: {
      bucket,
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      prefix: 'evidence/',
      forcePathStyle: true,
      // s3rver's fixed development keys.
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    keys: () =>
      fs
        .readdirSync(bucketDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('._S3rver_object'))
        .map((e) =>
          path.relative(bucketDir, path.join(e.parentPath, e.name)).replace(/\._S3rver_object$/, ''),
        )
        .sort(),
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
