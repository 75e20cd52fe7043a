/**
 * The purge pass: telemetry past its period (batch by batch), then, one
 * transaction per incident, the evidence of every incident closed longer
 * than the evidence period and not under a legal hold. Each incident's
 * purge appends one `retention.purged` audit entry listing, per table, the
 * count and SHA-256 of what went, and each attachment's hash; the audit log
 * itself is never purged, so its chain still verifies. Also the preview:
 * what would go now and why.
 */
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { RetentionDal } from './retention-dal.ts';
import { digestRows } from './retention-digest.ts';
import { closedOnOrBeforeBound, evidenceDueAt, isEvidenceDue, retentionCutoff } from './retention-due.ts';
import type { RetentionEvidenceDal } from './retention-evidence-dal.ts';
import { purgeTelemetry, RETENTION_ACTOR, type TelemetryPurgeDeps } from './retention-telemetry.ts';
import type {
  DueIncident,
  IncidentPurge,
  PurgedAttachment,
  PurgeReport,
  RetentionPreview,
  RetentionVault,
  TableDigest,
} from './retention-types.ts';

export interface RetentionPurgeDeps {
  db: Kysely<VigilDatabase>;
  clock: Clock;
  audit: Pick<AuditService, 'append'>;
  policy: Pick<Policy, 'retention' | 'time'>;
  dal: RetentionDal;
  evidence: RetentionEvidenceDal;
  vault: RetentionVault;
  telemetry: TelemetryPurgeDeps;
}

/** Fields of the incident row a purge clears; every other column survives (see docs/evidence.md). */
export const STRIPPED_INCIDENT_FIELDS = ['title', 'description', 'triage_reason'] as const;

/** Thrown inside an incident's purge transaction to undo its claim: a hold came first. */
class HeldBack extends Error {}

/** A purge pass that could not finish one incident; the incident stays due for the next pass. */
export interface PurgeFailure {
  incidentId: string;
  reference: string;
  error: unknown;
}

export function createRetentionPurgeService(deps: RetentionPurgeDeps) {
  const { db, clock, audit, policy, dal, evidence, vault } = deps;
  const rules = policy.retention;
  const timeZone = policy.time.timeZone;
  const telemetryRules = { keep: rules.telemetry.keep, timeZone };

  /** Incidents whose evidence is due at `now`, split into those that may go and those a hold keeps. */
  async function dueIncidents(now: Date): Promise<{ due: DueIncident[]; held: DueIncident[] }> {
    const keep = rules.evidence.keep;
    const closed = (await dal.closedUnpurged(db, closedOnOrBeforeBound(now, keep, timeZone))).filter((c) =>
      isEvidenceDue(c.closedAt, keep, timeZone, now),
    );
    const holds = await dal.activeHolds(
      db,
      closed.map((c) => c.id),
    );
    const all = closed.map((c) => ({
      incidentId: c.id,
      reference: c.reference,
      closedAt: c.closedAt,
      dueAt: evidenceDueAt(c.closedAt, keep, timeZone),
      hold: holds.get(c.id) ?? null,
    }));
    const blocks = (d: DueIncident) => rules.legalHoldBlocksPurge && d.hold !== null;
    return { due: all.filter((d) => !blocks(d)), held: all.filter(blocks) };
  }

  async function attachmentsOf(
    trx: Parameters<RetentionVault['listForIncident']>[0],
    incidentId: string,
  ): Promise<PurgedAttachment[]> {
    const items = (await vault.listForIncident(trx, incidentId)).filter((i) => i.purgedAt === null);
    const out: PurgedAttachment[] = [];
    for (const item of items) {
      const shared = await evidence.contentSharedElsewhere(trx, incidentId, item.sha256);
      out.push({ itemId: item.id, sha256: item.sha256, sizeBytes: item.sizeBytes, contentRemoved: !shared });
    }
    return out;
  }

  /**
   * Purges (or, dry, reads) one incident's evidence in one transaction. The
   * tombstone update comes first: it claims the incident (a second pass
   * finds it purged) and, on PostgreSQL, locks its row against a hold being
   * placed meanwhile; a hold found after the claim undoes it.
   */
  async function purgeIncident(
    due: DueIncident,
    now: Date,
    telemetryCutoff: Date,
    dryRun: boolean,
  ): Promise<IncidentPurge | null> {
    try {
      return await db.transaction().execute(async (trx) => {
        const before = await evidence.incidentRow(trx, due.incidentId);
        if (!before || before.evidence_purged_at !== null) return null;
        if (!dryRun && !(await evidence.tombstone(trx, due.incidentId, due.reference, now))) return null;
        if (rules.legalHoldBlocksPurge && (await dal.findActiveHold(trx, due.incidentId)))
          throw new HeldBack();
        const taken = await evidence.takeEvidence(trx, due.incidentId, { telemetryCutoff, dryRun });
        const attachments = await attachmentsOf(trx, due.incidentId);
        const removed: Record<string, TableDigest> = {};
        for (const [table, rows] of Object.entries(taken)) removed[table] = digestRows(rows);
        const purge: IncidentPurge = { ...due, removed, attachments };
        if (dryRun) return purge;
        if (attachments.length > 0) await evidence.markAttachmentsPurged(trx, due.incidentId, now);
        await audit.append(trx, {
          actor: RETENTION_ACTOR,
          action: 'retention.purged',
          subject: { type: 'incident', id: due.incidentId },
          detail: {
            reason: 'evidence period over',
            reference: due.reference,
            keep: rules.evidence.keep.text,
            closedAt: due.closedAt.toISOString(),
            dueAt: due.dueAt.toISOString(),
            removed,
            attachments,
            tombstone: { stripped: [...STRIPPED_INCIDENT_FIELDS], before: digestRows([before]).sha256 },
          },
          at: now,
        });
        // Last, so a failure before it leaves the content for the retry; a repeat removal is harmless.
        const toRemove = new Set(attachments.filter((a) => a.contentRemoved).map((a) => a.sha256));
        for (const sha256 of toRemove) await vault.store.remove(sha256);
        return purge;
      });
    } catch (error) {
      if (error instanceof HeldBack) return null;
      throw error;
    }
  }

  /** One purge pass at `now`: telemetry, then every incident that is due. */
  async function runPass(now: Date, dryRun: boolean): Promise<PurgeReport & { failures: PurgeFailure[] }> {
    const cutoff = retentionCutoff(now, rules.telemetry.keep, timeZone);
    const telemetry = dryRun
      ? { cutoff, deleted: (await deps.telemetry.dal.countPurgeable(db, cutoff)).count, batches: [] }
      : await purgeTelemetry(deps.telemetry, telemetryRules, now, {
          fromSeq: 0,
          batchSize: 2_000,
          budgetMs: Number.POSITIVE_INFINITY,
        });
    const { due, held } = await dueIncidents(now);
    const incidents: IncidentPurge[] = [];
    const failures: PurgeFailure[] = [];
    for (const d of due) {
      try {
        const purge = await purgeIncident(d, now, cutoff, dryRun);
        if (purge) incidents.push(purge);
      } catch (error) {
        failures.push({ incidentId: d.incidentId, reference: d.reference, error });
      }
    }
    return {
      at: now,
      dryRun,
      telemetry: { cutoff, deleted: telemetry.deleted, batches: telemetry.batches },
      incidents,
      held,
      failures,
    };
  }

  return {
    runPass,

    /** Runs a purge pass now (`dryRun`: reads what would go and changes nothing). */
    async run(options: { dryRun: boolean }): Promise<PurgeReport & { failures: PurgeFailure[] }> {
      return runPass(clock.now(), options.dryRun);
    },

    /** What would go now and why. */
    async preview(): Promise<RetentionPreview> {
      const now = clock.now();
      const cutoff = retentionCutoff(now, rules.telemetry.keep, timeZone);
      const purgeable = await deps.telemetry.dal.countPurgeable(db, cutoff);
      const { due, held } = await dueIncidents(now);
      return {
        at: now,
        telemetry: {
          keep: rules.telemetry.keep.text,
          cutoff,
          due: purgeable.count,
          oldestDueReceivedAt: purgeable.oldestReceivedAt,
        },
        evidence: {
          keep: rules.evidence.keep.text,
          legalHoldBlocksPurge: rules.legalHoldBlocksPurge,
          due,
          held,
        },
      };
    },
  };
}

export type RetentionPurgeService = ReturnType<typeof createRetentionPurgeService>;
