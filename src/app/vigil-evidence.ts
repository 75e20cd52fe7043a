/**
 * Keeping evidence, as the composition root assembles it: the vault (on
 * disk, or in an S3-compatible bucket when configured), and retention: the
 * telemetry purge, the purge of closed incidents' evidence, and legal holds.
 */
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import { createEvidenceDal } from '../evidence/evidence-dal.ts';
import { createEvidenceDiskStore } from '../evidence/evidence-disk-store.ts';
import type { EvidenceS3Settings } from '../evidence/evidence-s3-store.ts';
import { createEvidenceService } from '../evidence/evidence-service.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Policy } from '../policy/policy-types.ts';
import { createRetentionDal } from '../retention/retention-dal.ts';
import { createRetentionEvidenceDal } from '../retention/retention-evidence-dal.ts';
import { createRetentionPurgeService } from '../retention/retention-purge-service.ts';
import { createRetentionService } from '../retention/retention-service.ts';
import type { SignalDal } from '../signal/signal-dal.ts';
import { createSignalPartitionDal } from '../signal/signal-partition-dal.ts';
import { DEFAULT_EVIDENCE_DIR } from './config.ts';

export async function createEvidenceKeeping(deps: {
  db: Kysely<VigilDatabase>;
  clock: Clock;
  audit: AuditService;
  policy: Policy;
  incidentDeps: IncidentDeps;
  signalDal: SignalDal;
  evidenceDir: string | undefined;
  evidenceS3: EvidenceS3Settings | undefined;
}) {
  const { db, clock, audit, policy, incidentDeps, signalDal } = deps;
  const evidence = createEvidenceService({
    incident: incidentDeps,
    dal: createEvidenceDal(),
    // Imported only when configured: the AWS SDK is large and most deployments keep evidence on disk.
    store: deps.evidenceS3
      ? (await import('../evidence/evidence-s3-store.ts')).createEvidenceS3Store(deps.evidenceS3)
      : createEvidenceDiskStore(deps.evidenceDir ?? DEFAULT_EVIDENCE_DIR),
    maxBytes: policy.evidence.maxAttachmentSize.bytes,
  });
  const retentionDal = createRetentionDal();
  const telemetryPurge = { db, dal: signalDal, partitions: createSignalPartitionDal(), audit, clock };
  const retentionPurge = createRetentionPurgeService({
    db,
    clock,
    audit,
    policy,
    dal: retentionDal,
    evidence: createRetentionEvidenceDal({ signals: signalDal }),
    vault: evidence,
    telemetry: telemetryPurge,
  });
  const retention = createRetentionService({ incident: incidentDeps, dal: retentionDal });
  return { evidence, retentionDal, telemetryPurge, retentionPurge, retention };
}
