/**
 * The telemetry purge of one day on PostgreSQL, where each UTC day of
 * signals is its own partition (migration 0018): the day's evidence moves to
 * the `kept` shelf, the rest is digested and dropped with its table. Dropping
 * a table costs the same for ten rows or ten million; deleting them would
 * scan the day, write each row to the WAL and leave dead rows for the vacuum.
 *
 * One transaction, so the audit entry and the day leaving `signals` commit
 * together or not at all. Until its last steps it holds only the day (against
 * a second purge of it) and the rows it moves, so ingestion and reads go on
 * while it digests. Then it takes `signals` exclusively (waiting at most
 * {@link DROP_LOCK_TIMEOUT} for readers, so a long report cannot stall
 * ingestion behind it), looks for evidence marked meanwhile, appends the
 * audit entry and detaches the day: ingestion waits only for those few
 * statements. The detached table is dropped after the commit, so deleting its
 * files (gigabytes for a busy day) does not hold `signals`.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import { fromDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { SignalDal } from '../signal/signal-dal.ts';
import type { SignalPartitionDal } from '../signal/signal-partition-dal.ts';
import type { TelemetryBatch } from './retention-types.ts';
import { createSignalDigest } from './signal-digest.ts';

/** What a day's purge needs. */
export interface DayPurgeDeps {
  db: Kysely<VigilDatabase>;
  dal: Pick<SignalDal, 'firstSeqReceivedFrom'>;
  partitions: SignalPartitionDal;
  audit: Pick<AuditService, 'append'>;
}

/** The longest the purge waits for readers of `signals` before dropping a day; it tries again next cycle. */
export const DROP_LOCK_TIMEOUT = '2s';

/** PostgreSQL: the table is gone (another purge dropped the day first). */
const NO_SUCH_TABLE = '42P01';

interface DayDigest extends TelemetryBatch {
  oldestReceivedAt: string;
}

/** Moves the day's evidence (linked signals, signals inside an evidence window) to the kept shelf. */
async function keepEvidence(
  trx: Transaction<VigilDatabase>,
  deps: DayPurgeDeps,
  day: string,
): Promise<number> {
  const { partitions, dal } = deps;
  const span = await partitions.seqSpan(trx, day);
  if (!span) return 0;
  let moved = await partitions.keepLinked(trx, day, span);
  for (const window of await partitions.windowsOnDay(trx, day)) {
    // Receipt order is sequence order: the window's receipt times are a range of sequence numbers.
    const fromSeq = await dal.firstSeqReceivedFrom(trx, fromDbInstant(window.fromAt));
    if (fromSeq === null) continue;
    const toSeq = (await dal.firstSeqReceivedFrom(trx, fromDbInstant(window.toAt))) ?? span.hi + 1;
    moved += await partitions.keepWindowed(trx, day, { ...window, fromSeq, toSeq });
  }
  return moved;
}

/** Count, sequence range and digest of what is on the day's shelf, or null when nothing is. */
async function digestDay(
  trx: Transaction<VigilDatabase>,
  partitions: SignalPartitionDal,
  day: string,
): Promise<DayDigest | null> {
  const digest = createSignalDigest();
  let first: { seq: number; oldest: string } | null = null;
  let lastSeq = 0;
  for (;;) {
    const page = await partitions.digestPage(trx, day, lastSeq);
    if (!page) break;
    first ??= { seq: page.firstSeq, oldest: page.oldestReceivedAt };
    digest.add(page.lines, page.count);
    lastSeq = page.lastSeq;
  }
  if (!first) return null;
  return { firstSeq: first.seq, lastSeq, oldestReceivedAt: first.oldest, ...digest.result() };
}

/**
 * Purges the day shelf `day` (all of it received before `receivedBefore`,
 * which the caller checked): returns what went, or null when the day was
 * empty or another purge took it first. Appends one `retention.purged` entry,
 * subject `signals`, like a batch of the row-by-row purge, naming the day.
 */
export async function purgeDay(
  deps: DayPurgeDeps,
  day: string,
  entry: { keep: string; receivedBefore: Date; now: Date; actor: { type: 'system'; name: string } },
): Promise<TelemetryBatch | null> {
  const { db, partitions, audit } = deps;
  try {
    return await db.transaction().execute(async (trx) => {
      await partitions.claimDay(trx, day);
      const keptFirst = await keepEvidence(trx, deps, day);
      let digest = await digestDay(trx, partitions, day);
      await partitions.lockForDrop(trx, DROP_LOCK_TIMEOUT);
      // A window or link committed while the digest was read still keeps its signals.
      const keptLate = await keepEvidence(trx, deps, day);
      if (keptLate > 0) digest = await digestDay(trx, partitions, day);
      if (!digest) {
        await partitions.detachDay(trx, day);
        return null;
      }
      const { oldestReceivedAt, ...batch } = digest;
      await audit.append(trx, {
        actor: entry.actor,
        action: 'retention.purged',
        subject: { type: 'signals', id: `${batch.firstSeq}-${batch.lastSeq}` },
        detail: {
          reason: 'telemetry period over',
          keep: entry.keep,
          receivedBefore: entry.receivedBefore.toISOString(),
          removed: { signals: { count: batch.count, sha256: batch.sha256 } },
          firstSeq: batch.firstSeq,
          lastSeq: batch.lastSeq,
          oldestReceivedAt,
          day,
          keptAsEvidence: keptFirst + keptLate,
        },
        at: entry.now,
      });
      await partitions.detachDay(trx, day);
      return batch;
    });
  } catch (error) {
    if ((error as { code?: string }).code === NO_SUCH_TABLE) return null;
    throw error;
  } finally {
    await partitions.dropDetached(db);
  }
}
