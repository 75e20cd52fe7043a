import type { Command } from 'commander';
import { resolveDatabaseUrl } from '../app/config.ts';
import { createAuditDal } from '../audit/audit-dal.ts';
import { createAuditService } from '../audit/audit-service.ts';
import { openDatabase } from '../platform/db/database.ts';
import type { CliIo } from './cli-io.ts';

/**
 * `vigil audit verify`: checks the chain straight in the database, whether
 * or not a server is running. It only reads: verifying must never change
 * the evidence it judges, so it does not migrate either.
 */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('re-check the audit hash chain; exit 1 naming the first broken entry')
    .option('--database <url>', 'sqlite:PATH or postgres://... (env VIGIL_DATABASE_URL)')
    .action(async (flags: { database?: string }) => {
      const database = await openDatabase(resolveDatabaseUrl(flags.database));
      try {
        const service = createAuditService({ db: database.kysely, dal: createAuditDal(database.dialect) });
        const result = await service.verify();
        io.out(JSON.stringify(result));
        if (!result.ok) io.setExitCode(1);
      } finally {
        await database.close();
      }
    });
}
