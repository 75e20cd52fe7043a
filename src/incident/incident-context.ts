import type { Kysely, Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import type { Clock } from '../platform/clock.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { NotFound } from '../platform/errors.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { SlaDal } from '../sla/sla-dal.ts';
import type { TimelineService } from '../timeline/timeline-service.ts';
import type { TimelineKind } from '../timeline/timeline-types.ts';
import type { IncidentCustomerDal } from './incident-customer-dal.ts';
import type { IncidentDal, IncidentRecord } from './incident-dal.ts';
import type { IncidentDetailDal } from './incident-detail-dal.ts';
import type {
  AffectedCustomer,
  Incident,
  IncidentBreachSummary,
  IncidentView,
  Person,
} from './incident-types.ts';
import { viewIncident } from './incident-view.ts';

/** The policy in force, with its calendar and runbooks. */
export interface ActivePolicy {
  policy: Policy;
  version: string;
  calendar: BusinessCalendar;
  /** Runbook steps (Markdown) of a category for a phase, if the policy has them. */
  runbookSteps(category: string, phase: string): string | null;
  categoryIds: readonly string[];
  componentIds: readonly string[];
}

/**
 * Looks people up by email: users of Vigil, named in roles and handovers.
 * It reads through the caller's executor, because inside a transaction on
 * SQLite the one connection belongs to that transaction.
 */
export interface PeopleDirectory {
  findByEmail(db: Kysely<VigilDatabase> | Transaction<VigilDatabase>, email: string): Promise<Person | null>;
}

/**
 * Looks customers up by id, for linking them to incidents. Like
 * {@link PeopleDirectory}, it reads through the caller's executor.
 */
export interface CustomerDirectory {
  /** Those of `ids` that exist, with their names. */
  findByIds(
    db: Kysely<VigilDatabase> | Transaction<VigilDatabase>,
    ids: readonly string[],
  ): Promise<AffectedCustomer[]>;
}

/**
 * Messages that incident events send, queued in the event's transaction:
 * the out-of-hours emergency path and the prompt for a customer update at
 * a milestone. The communications domain implements it.
 */
export interface IncidentNotices {
  /** An incident was declared. */
  declared(trx: Transaction<VigilDatabase>, incident: Incident, now: Date): Promise<void>;
  /** The severity changed from `previous` to `incident.severity`, in or out of hours now. */
  severityRaised(
    trx: Transaction<VigilDatabase>,
    incident: Incident,
    previous: string,
    outOfHoursNow: boolean,
    now: Date,
  ): Promise<void>;
  /** A phase change made a customer update due by `dueAt`. */
  milestone(trx: Transaction<VigilDatabase>, incident: Incident, dueAt: Date, now: Date): Promise<void>;
}

/** Notices that send nothing, for tools that run incident use cases without messaging. */
export const SILENT_NOTICES: IncidentNotices = {
  declared: async () => undefined,
  severityRaised: async () => undefined,
  milestone: async () => undefined,
};

/** What every incident use case needs; the composition root builds it once. */
export interface IncidentDeps {
  db: Kysely<VigilDatabase>;
  dal: IncidentDal;
  details: IncidentDetailDal;
  slaDal: SlaDal;
  timeline: Pick<TimelineService, 'record' | 'list'>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  policy: ActivePolicy;
  people: PeopleDirectory;
  customers: CustomerDirectory;
  customerLinks: IncidentCustomerDal;
  notices: IncidentNotices;
  /** Why an incident may not close yet (a review the policy requires), or null; absent where reviews are not wired. */
  reviewGate?: {
    closeBlocker(trx: Transaction<VigilDatabase>, incident: Incident): Promise<string | null>;
  };
  /** The breach summary the incident view shows; absent where breaches are not wired (tools, tests). */
  breachSummary?: {
    summaryFor(
      db: Kysely<VigilDatabase>,
      incident: Incident,
      now: Date,
    ): Promise<IncidentBreachSummary | null>;
  };
}

const REFERENCE_PATTERN = /^INC-\d+$/;

export { actorOf } from '../identity/principal-actor.ts';

/** Finds an incident by id (UUID) or reference (`INC-12`), or throws NotFound. */
export async function findIncident(
  dal: IncidentDal,
  db: Kysely<VigilDatabase> | Transaction<VigilDatabase>,
  idOrReference: string,
): Promise<IncidentRecord> {
  const record = REFERENCE_PATTERN.test(idOrReference)
    ? await dal.findByReference(db, idOrReference)
    : await dal.findById(db, idOrReference);
  if (!record) throw new NotFound('incident', idOrReference);
  return record;
}

/**
 * Whether `userId` holds a role (owner, responder, ...) on the incident;
 * null when there is no such incident. Responders change only incidents
 * they hold a role in (src/http/authorization.ts).
 */
export async function holdsIncidentRole(
  deps: Pick<IncidentDeps, 'db' | 'dal' | 'details'>,
  idOrReference: string,
  userId: string,
): Promise<boolean | null> {
  const { db, dal, details } = deps;
  const record = REFERENCE_PATTERN.test(idOrReference)
    ? await dal.findByReference(db, idOrReference)
    : await dal.findById(db, idOrReference);
  if (!record) return null;
  return (await details.listRoles(db, [record.incident.id])).some((r) => r.person.userId === userId);
}

/** One event on an incident: its timeline entry and its audit entry, written together. */
export interface IncidentEvent {
  incidentId: string;
  actor: Actor;
  at: Date;
  kind: TimelineKind;
  /** Audit action, e.g. `incident.acknowledged`. */
  action: string;
  summary: string;
  data: Record<string, unknown>;
}

/** Records the event on the timeline and the audit chain inside `trx`. */
export async function recordIncidentEvent(
  deps: Pick<IncidentDeps, 'timeline' | 'audit'>,
  trx: Transaction<VigilDatabase>,
  event: IncidentEvent,
): Promise<void> {
  await deps.timeline.record(trx, {
    incidentId: event.incidentId,
    at: event.at,
    kind: event.kind,
    actor: formatActor(event.actor),
    summary: event.summary,
    data: event.data,
  });
  await deps.audit.append(trx, {
    actor: event.actor,
    action: event.action,
    subject: { type: 'incident', id: event.incidentId },
    detail: { summary: event.summary, ...event.data },
    at: event.at,
  });
}

/** Work on one incident inside its use case's transaction; `now` is the use case's instant. */
export type IncidentWork<T> = (trx: Transaction<VigilDatabase>, incident: Incident, now: Date) => Promise<T>;

/**
 * Runs one use case on an incident, whatever domain it belongs to: reads the
 * clock once, finds the incident by id or reference (404 if none), runs
 * `work` in one transaction on the incident as re-read inside it (so the
 * change is judged against committed state), and stamps `updated_at` with
 * the same instant. Returns the incident as first found, that instant, and
 * what the work returned.
 */
export async function workOnIncident<T>(
  deps: Pick<IncidentDeps, 'db' | 'dal' | 'clock'>,
  idOrReference: string,
  work: IncidentWork<T>,
): Promise<{ incident: Incident; now: Date; result: T }> {
  const { db, dal, clock } = deps;
  const now = clock.now();
  const found = await findIncident(dal, db, idOrReference);
  const result = await db.transaction().execute(async (trx) => {
    const record = (await dal.findById(trx, found.incident.id))!;
    const value = await work(trx, record.incident, now);
    await dal.update(trx, record.incident.id, { updated_at: toDbInstant(now) });
    return value;
  });
  return { incident: found.incident, now, result };
}

/** Runs one use case on an incident ({@link workOnIncident}) and answers the updated view. */
export async function actOnIncident(
  deps: IncidentDeps,
  idOrReference: string,
  work: IncidentWork<void>,
): Promise<IncidentView> {
  const { incident: found, now } = await workOnIncident(deps, idOrReference, work);
  const { incident } = await findIncident(deps.dal, deps.db, found.id);
  return viewIncident(deps, deps.db, incident, now);
}
