import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict } from '../platform/errors.ts';
import type { SignalIngestService } from '../signal/signal-ingest-service.ts';
import { type DemoFile, moveToPresent, readDemoFiles } from './demo-signals.ts';

/** What loading the demo did: each file as ingested, and the incidents detection opened or joined. */
export type DemoOutcome = {
  files: { name: string; source: string; received: number; stored: number }[];
  incidents: { id: string; reference: string; title: string; severity: string; opened: boolean }[];
};

/**
 * The one-click demo for a new installation: the shipped signal files go
 * through the normal ingestion path (adapters, storage, detection), so the
 * incidents it opens are the ones real senders would have opened.
 */
export function createDemoService(deps: {
  db: Kysely<VigilDatabase>;
  signals: Pick<SignalIngestService, 'ingest'>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  files?: () => DemoFile[];
}) {
  const { db, signals, audit, clock } = deps;
  const files = deps.files ?? (() => readDemoFiles());

  async function titlesOf(ids: string[]) {
    if (ids.length === 0) return new Map<string, { title: string; severity: string }>();
    const rows = await db
      .selectFrom('incidents')
      .select(['id', 'title', 'severity'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, { title: r.title, severity: r.severity }]));
  }

  return {
    /**
     * Loads the demo. 409 once any incident exists: demo incidents mixed
     * into real ones would pollute the reports and the audit trail.
     */
    async load(actor: Actor): Promise<DemoOutcome> {
      const existing = await db.selectFrom('incidents').select('id').limit(1).executeTakeFirst();
      if (existing)
        throw new Conflict('The demo loads only into an empty installation: incidents already exist');
      const outcome: DemoOutcome = { files: [], incidents: [] };
      const touched = new Map<string, { reference: string; opened: boolean }>();
      // Each file is one sender's delivery and commits as ingestion always does.
      for (const file of moveToPresent(files(), clock.now())) {
        const receipt = await signals.ingest(file.source, file.body, file.contentType);
        outcome.files.push({
          name: file.name,
          source: file.source,
          received: receipt.received,
          stored: receipt.stored,
        });
        for (const i of receipt.incidents) {
          const seen = touched.get(i.id);
          touched.set(i.id, { reference: i.reference, opened: (seen?.opened ?? false) || i.opened });
        }
      }
      const details = await titlesOf([...touched.keys()]);
      outcome.incidents = [...touched].map(([id, i]) => ({
        id,
        reference: i.reference,
        title: details.get(id)?.title ?? '',
        severity: details.get(id)?.severity ?? '',
        opened: i.opened,
      }));
      await db.transaction().execute((trx) =>
        audit.append(trx, {
          actor,
          action: 'demo.loaded',
          subject: { type: 'demo', id: 'signals' },
          detail: {
            files: outcome.files.map((f) => f.name),
            signals: outcome.files.reduce((n, f) => n + f.stored, 0),
            incidents: outcome.incidents.map((i) => i.reference),
          },
          at: clock.now(),
        }),
      );
      return outcome;
    },
  };
}

export type DemoService = ReturnType<typeof createDemoService>;
