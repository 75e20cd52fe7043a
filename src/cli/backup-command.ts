/**
 * `vigil backup FILE`: a consistent copy of a SQLite database, taken while
 * the server runs. SQLite's online backup API copies the pages under its
 * own locks (a WAL reader's snapshot), so the copy holds every committed
 * transaction up to one instant and none half-written; copying the file with
 * `cp` could catch the database between its main file and its WAL. The
 * copy is a plain database file that `vigil serve --database sqlite:FILE`
 * opens directly. PostgreSQL is backed up with its own tools (pg_dump, base
 * backups and WAL archiving): see docs/operations.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Command } from 'commander';
import { resolveDatabaseUrl } from '../app/config.ts';
import { parseDatabaseUrl } from '../platform/db/database-url.ts';
import { Conflict, ValidationFailed } from '../platform/errors.ts';
import type { CliIo } from './cli-io.ts';

/** What one backup copied. */
export interface BackupResult {
  file: string;
  pages: number;
  bytes: number;
}

/**
 * Copies the SQLite database at `sourceFile` into `targetFile` (which must
 * not exist: a backup never overwrites another) with the online backup API.
 * Other connections keep reading and writing meanwhile.
 */
export async function backupSqlite(sourceFile: string, targetFile: string): Promise<BackupResult> {
  if (!fs.existsSync(sourceFile))
    throw new ValidationFailed([{ field: 'database', reason: `no database at ${sourceFile}` }]);
  if (fs.existsSync(targetFile))
    throw new Conflict(`${targetFile} already exists; choose a new file for each backup`);
  fs.mkdirSync(path.dirname(targetFile), { recursive: true });
  // Its own connection, so the backup works whether or not a server has the file open.
  const source = new SqliteDatabase(sourceFile, { fileMustExist: true });
  try {
    // Waits (up to 5 s per step) while the server holds the write lock, instead of failing.
    source.pragma('busy_timeout = 5000');
    const progress = await source.backup(targetFile);
    const copy = new SqliteDatabase(targetFile);
    try {
      // The copy carries the source's WAL mode; fold it into one self-contained file.
      copy.pragma('wal_checkpoint(TRUNCATE)');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`);
    } finally {
      copy.close();
    }
    return { file: targetFile, pages: progress.totalPages, bytes: fs.statSync(targetFile).size };
  } finally {
    source.close();
  }
}

export function registerBackupCommand(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description('copy the SQLite database to FILE while the server runs (PostgreSQL: use pg_dump)')
    .argument('<file>', 'the new backup file; it must not exist')
    .option('--database <url>', 'sqlite:PATH (env VIGIL_DATABASE_URL)')
    .action(async (file: string, flags: { database?: string }) => {
      const target = parseDatabaseUrl(resolveDatabaseUrl(flags.database));
      if (target.dialect !== 'sqlite') {
        throw new ValidationFailed([
          {
            field: 'database',
            reason:
              'vigil backup copies SQLite databases; back up PostgreSQL with pg_dump (or base backups and WAL archiving), see docs/operations.md',
          },
        ]);
      }
      const result = await backupSqlite(target.file, path.resolve(file));
      io.out(JSON.stringify(result));
    });
}
