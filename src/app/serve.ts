import type { Logger } from 'pino';
import { describeSmtpUrl } from '../outbox/outbox-mailer.ts';
import type { Clock } from '../platform/clock.ts';
import type { ServeConfig, ServeRole } from './config.ts';
import { VIGIL_VERSION } from './version.ts';
import { createVigil, type Vigil } from './vigil.ts';

const ROLE_DESCRIPTIONS: Record<ServeRole, string> = {
  all: 'all (API and engine)',
  api: 'api (the API and ingestion; no engine)',
  engine: 'engine (clocks, escalation, outbox, retention; HTTP serves health probes and metrics only)',
};

export interface RunningServer {
  vigil: Vigil;
  /** The address actually bound (useful with port 0). */
  url: string;
  /** Graceful stop: no new connections, in-flight requests finish, the database closes. */
  stop(): Promise<void>;
}

/**
 * Starts Vigil as `vigil serve` does: policy, database and migrations,
 * first-start admin, then the HTTP listener. `say` prints the few lines a
 * person starting the server needs (URL, first admin token); they are
 * deliberately not log lines, so no token ever reaches the logs.
 */
export async function startServer(
  config: ServeConfig,
  deps: { clock: Clock; logger: Logger; say: (line: string) => void },
): Promise<RunningServer> {
  const vigil = await createVigil({
    databaseUrl: config.databaseUrl,
    policyPath: config.policyPath,
    clock: deps.clock,
    logger: deps.logger,
    bodyLimit: config.bodyLimit,
    ingestBodyLimit: config.ingestBodyLimit,
    version: VIGIL_VERSION,
    smtp: config.smtp,
    webhooks: config.webhooks,
    evidenceDir: config.evidenceDir,
    evidenceS3: config.evidenceS3,
    oidc: config.oidc,
    signIn: config.signIn,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    rateLimits: { ingest: config.ingestRateLimit },
    role: config.role,
  });
  if (config.smtp) {
    deps.logger.info({ smtp: describeSmtpUrl(config.smtp.url) }, 'outbox: delivering email by SMTP');
  } else {
    deps.logger.warn('outbox: VIGIL_SMTP_URL is not set, email delivery is off; messages stay pending');
  }
  let url: string;
  try {
    const admin = await vigil.identity.bootstrapAdmin({
      email: config.adminEmail,
      presetToken: config.adminToken,
    });
    const address = await vigil.http.listen({ host: config.host, port: config.port });
    // An API-only node leaves the engine to the nodes that run it (they share one lease).
    if (config.role !== 'api') vigil.engine.start();
    url = address.replace('[::1]', 'localhost');
    if (admin.created) {
      deps.say(`Created the admin user ${admin.email}.`);
      deps.say(
        admin.generatedToken
          ? `Admin API token (shown once, store it now): ${admin.generatedToken}`
          : 'Its API token is the one given in VIGIL_ADMIN_TOKEN.',
      );
    }
    deps.say(`Policy:   ${vigil.policy.source} (${vigil.policy.version})`);
    deps.say(`Database: ${vigil.database.description}`);
    deps.say(`Role:     ${ROLE_DESCRIPTIONS[config.role]}`);
    const s3 = config.evidenceS3;
    deps.say(
      `Evidence: ${s3 ? `s3://${s3.bucket}/${s3.prefix}${s3.endpoint ? ` at ${s3.endpoint}` : ''}` : config.evidenceDir}`,
    );
    deps.say(`API docs: ${url}/api/docs`);
    // Printed last: scripts (and the tests) wait for this line.
    deps.say(`Vigil ${VIGIL_VERSION} is listening on ${url}`);
  } catch (error) {
    await vigil.close();
    throw error;
  }
  return { vigil, url, stop: () => vigil.close() };
}

/**
 * Stops gracefully on SIGTERM or SIGINT: Fastify stops accepting, lets
 * in-flight requests finish, then the database closes. A second signal
 * while stopping exits at once.
 */
export function stopOnSignals(server: RunningServer, logger: Logger, exit: (code: number) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return exit(130);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
