/**
 * Reads what an evidence package holds about one incident, through the
 * other domains' services and ports: the incident as of its last change,
 * its timeline and decisions, the messages sent by email, the review and
 * its actions, the breach, the attachments, and the audit segment.
 *
 * The reads are not one transaction (SQLite would block writers for the
 * whole export), so the segment is read before and after the rest; if a
 * change landed in between, the reads start again. What is packaged is
 * therefore exactly the state the segment's last entry left.
 */
import type { AuditRecord } from '../audit/audit-types.ts';
import type { BreachService } from '../breach/breach-service.ts';
import { findIncident, type IncidentDeps } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import { viewIncident } from '../incident/incident-view.ts';
import type { OutboxDal } from '../outbox/outbox-dal.ts';
import { fromDbInstant } from '../platform/db/instant-codec.ts';
import { Conflict } from '../platform/errors.ts';
import type { ReviewService } from '../review/review-service.ts';
import type { TimelineKind } from '../timeline/timeline-types.ts';
import type { EvidencePackageDal } from './evidence-package-dal.ts';
import { emlPath } from './evidence-package-eml.ts';
import type { PackageContents } from './evidence-package-report.ts';
import { packageSubjects, selectSegment } from './evidence-package-segment.ts';
import type { PackageAttachment, PackageAttachments } from './evidence-package-types.ts';

/** Timeline kinds that record a decision: the triage verdict and decisions with their rationale. */
export const DECISION_KINDS: readonly TimelineKind[] = ['triage', 'decision'];

/** How often the reads start again when changes keep landing during an export. */
const MAX_ATTEMPTS = 3;

export interface PackageSourceDeps {
  incident: Pick<
    IncidentDeps,
    'db' | 'dal' | 'details' | 'slaDal' | 'policy' | 'customerLinks' | 'breachSummary' | 'timeline'
  >;
  reviews: Pick<ReviewService, 'get'>;
  breaches: Pick<BreachService, 'find'>;
  outbox: Pick<OutboxDal, 'list'>;
  dal: EvidencePackageDal;
  attachments: PackageAttachments;
}

/** A file-name-safe version of an attachment's name: no path, no control or reserved characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const printable = [...base].map((c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' ? '_' : c)).join('');
  const cleaned = printable
    .replace(/[<>:"|?*]+/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 120);
  return cleaned || 'attachment';
}

/** `attachments/<sha256>-<filename>`: the hash first, so items with the same name never collide. */
export function attachmentPath(item: Pick<PackageAttachment, 'sha256' | 'filename'>): string {
  return `attachments/${item.sha256}-${safeFileName(item.filename)}`;
}

export function createPackageSources(deps: PackageSourceDeps) {
  const { incident: incidentDeps, dal } = deps;
  const { db } = incidentDeps;

  /** The incident's segment, given the rows whose own audit subjects belong to it. */
  async function segmentOf(incidentId: string, actionIds: string[], outboxIds: string[]) {
    const subjects = packageSubjects(incidentId, { actionIds, outboxIds });
    return selectSegment(await dal.listAuditBySubjects(db, subjects), subjects);
  }

  async function relatedIds(incidentId: string) {
    const [review, outbox] = await Promise.all([
      deps.reviews.get(incidentId),
      deps.outbox.list(db, { incidentId }),
    ]);
    return { actionIds: review.actions.map((a) => a.id), outboxIds: outbox.map((m) => m.id) };
  }

  /** Everything but the segment, with the incident's derived states as they stood at `asOf`. */
  async function read(
    incident: Incident,
    asOf: Date,
  ): Promise<Omit<PackageContents, 'segment'> & { outboxIds: string[] }> {
    const [view, timeline, review, breach, outbox, items] = await Promise.all([
      viewIncident(incidentDeps, db, incident, asOf),
      incidentDeps.timeline.list(incident.id),
      deps.reviews.get(incident.id),
      deps.breaches.find(incident, asOf),
      deps.outbox.list(db, { incidentId: incident.id }),
      deps.attachments.list(incident.id),
    ]);
    // Messages as sent: email rows the server accepted (webhook deliveries are on the timeline and audit log).
    const mails = outbox.filter((m) => m.status === 'sent' && m.channel === 'email' && m.sentAt);
    return {
      organization: incidentDeps.policy.policy.organization.name,
      incident: view,
      timeline,
      decisions: timeline.filter((e) => DECISION_KINDS.includes(e.kind)),
      review: { required: review.required, review: review.review, actions: review.actions },
      breach,
      mails: mails.map((message, index) => ({ path: emlPath(index, message.subject), message })),
      attachments: items.map((item) => ({ item, path: item.purgedAt ? null : attachmentPath(item) })),
      lastChangeAt: asOf,
      outboxIds: outbox.map((m) => m.id),
    };
  }

  const sameSegment = (a: readonly AuditRecord[], b: readonly AuditRecord[]) =>
    a.length === b.length && a[a.length - 1]?.hash === b[b.length - 1]?.hash;

  return {
    /**
     * Everything a package holds about the incident (id or reference), as
     * of the last change its segment records. NotFound for an unknown
     * incident; Conflict if changes kept landing while reading.
     */
    async gather(idOrReference: string): Promise<PackageContents> {
      const { incident: found } = await findIncident(incidentDeps.dal, db, idOrReference);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const related = await relatedIds(found.id);
        const before = await segmentOf(found.id, related.actionIds, related.outboxIds);
        const last = before[before.length - 1];
        const { incident } = await findIncident(incidentDeps.dal, db, found.id);
        const asOf = last ? fromDbInstant(last.at) : incident.updatedAt;
        const { outboxIds, ...contents } = await read(incident, asOf);
        const actionIds = contents.review.actions.map((a) => a.id);
        const after = await segmentOf(found.id, actionIds, outboxIds);
        if (sameSegment(before, after)) return { ...contents, segment: after };
      }
      throw new Conflict(`${found.reference} kept changing while its evidence package was read; try again`);
    },
  };
}

export type PackageSources = ReturnType<typeof createPackageSources>;
