import type { Command } from 'commander';
import { resolveDatabaseUrl, resolveServeConfig, type ServeFlags } from '../app/config.ts';
import { startServer, stopOnSignals } from '../app/serve.ts';
import { systemClock } from '../platform/clock.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrator.ts';
import { createLogger } from '../platform/logger.ts';
import type { CliIo } from './cli-io.ts';

/** `vigil serve` and `vigil migrate`. */
export function registerServeCommands(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the Vigil server (API, engine)')
    .option('--port <port>', 'TCP port (env PORT, default 8080)')
    .option('--host <host>', 'interface to bind (env VIGIL_HOST, default 127.0.0.1)')
    .option(
      '--database <url>',
      'sqlite:PATH or postgres://... (env VIGIL_DATABASE_URL, default sqlite:./data/vigil.db)',
    )
    .option('--policy <file>', 'policy YAML file (env VIGIL_POLICY, default: the built-in policy)')
    .option(
      '--role <role>',
      'all: API and engine; api: API and ingestion only; engine: background work only (env VIGIL_ROLE, default all)',
    )
    .option(
      '--evidence-dir <dir>',
      'where attachments are stored (env VIGIL_EVIDENCE_DIR, default ./data/evidence)',
    )
    .action(async (flags: ServeFlags) => {
      const config = resolveServeConfig(flags);
      const logger = createLogger(config.logLevel);
      const server = await startServer(config, { clock: systemClock, logger, say: io.out });
      stopOnSignals(server, logger, (code) => process.exit(code));
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .option('--database <url>', 'sqlite:PATH or postgres://... (env VIGIL_DATABASE_URL)')
    .action(async (flags: { database?: string }) => {
      const database = await openDatabase(resolveDatabaseUrl(flags.database));
      try {
        const report = await migrateToLatest(database);
        for (const name of report.applied) io.out(`applied ${name}`);
        if (report.error) {
          io.err(`migration ${report.error.migration ?? '(unknown)'} failed: ${report.error.message}`);
          io.setExitCode(1);
        } else if (report.applied.length === 0) {
          io.out(`${database.description}: up to date`);
        }
      } finally {
        await database.close();
      }
    });
}
