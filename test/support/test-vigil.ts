import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { VIGIL_VERSION } from '../../src/app/version.ts';
import { createVigil, type Vigil, type VigilOptions } from '../../src/app/vigil.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { type ScratchDatabase, scratchDatabase, type TestDialect } from './test-databases.ts';

export const ADMIN_TOKEN = 'vgl_test-admin-token-0123456789abcdef';

export interface TestVigil {
  vigil: Vigil;
  clock: FakeClock;
  scratch: ScratchDatabase;
  /** The evidence vault's directory (a fresh temp dir unless given; removed on stop when fresh). */
  evidenceDir: string;
  /** An authenticated request as the admin (pass `headers` to override). */
  api(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Another Vigil process on the same database and clock, as after a restart or on a second node. */
  another(): Promise<Vigil>;
  stop(): Promise<void>;
}

/**
 * A real Vigil (real database, real HTTP stack via inject) on a fresh
 * database, with a fake clock and a known admin token.
 */
export async function startTestVigil(
  dialect: TestDialect,
  options: {
    now?: string;
    policyPath?: string;
    bodyLimit?: number;
    logLines?: string[];
    smtp?: { url: string; from: string };
    /** Webhook endpoints keyed like `VIGIL_WEBHOOK_<KEY>_URL` keys them (`ops_teams`). */
    webhooks?: Record<string, { url: string; secret: string | undefined }>;
    evidenceDir?: string;
    /** Keep evidence in this bucket instead of the directory. */
    evidenceS3?: VigilOptions['evidenceS3'];
    /** Passed to createVigil: session timeouts, password rules, trusting a proxy's X-Forwarded-*. */
    signIn?: VigilOptions['signIn'];
    trustProxy?: boolean;
    /** VIGIL_PUBLIC_URL: the origin links sent out name. */
    publicUrl?: string;
    /**
     * Vigil's own events as `vigil` signals. Off unless asked for, so other
     * suites' signal and incident counts stay their own (token creation
     * would add a signal and a permission-change incident).
     */
    selfWatching?: boolean;
    /** Passed to createVigil: sign-in and ingestion rate limits. */
    rateLimits?: VigilOptions['rateLimits'];
  } = {},
): Promise<TestVigil> {
  const clock = new FakeClock(options.now ?? '2026-04-07T09:30:00Z');
  const scratch = scratchDatabase(dialect);
  const evidenceDir = options.evidenceDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-evidence-'));
  const open = () =>
    createVigil({
      databaseUrl: scratch.url,
      policyPath: options.policyPath,
      clock,
      logger: options.logLines
        ? createLogger('info', { write: (line: string) => options.logLines?.push(line) })
        : pino({ level: 'silent' }),
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      version: VIGIL_VERSION,
      smtp: options.smtp,
      webhooks: options.webhooks,
      evidenceDir,
      evidenceS3: options.evidenceS3,
      signIn: options.signIn,
      trustProxy: options.trustProxy,
      publicUrl: options.publicUrl,
      selfWatching: options.selfWatching ?? false,
      rateLimits: options.rateLimits,
    });
  const vigil = await open();
  await vigil.identity.bootstrapAdmin({ email: 'admin@localhost', presetToken: ADMIN_TOKEN });
  return {
    vigil,
    clock,
    scratch,
    evidenceDir,
    api: (request) =>
      vigil.http.inject({
        ...request,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(request.headers ?? {}) },
      }),
    another: open,
    async stop() {
      await vigil.close();
      await scratch.drop();
      if (!options.evidenceDir) fs.rmSync(evidenceDir, { recursive: true, force: true });
    },
  };
}
