import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { type FieldIssue, ValidationFailed } from '../platform/errors.ts';
import { startIncidentClocks } from '../sla/sla-clock.ts';
import type { TimelineEntry, TimelineKind } from '../timeline/timeline-types.ts';
import {
  type ActivePolicy,
  actorOf,
  findIncident,
  type IncidentDeps,
  recordIncidentEvent,
} from './incident-context.ts';
import { decodeIncidentCursor, encodeIncidentCursor } from './incident-cursor.ts';
import type {
  ComponentImpact,
  DeclareIncidentInput,
  Incident,
  IncidentFilter,
  IncidentView,
  Person,
} from './incident-types.ts';
import { type IncidentSummary, summarise, viewIncident } from './incident-view.ts';

export interface IncidentSummaryPage {
  items: IncidentSummary[];
  nextCursor: string | null;
}

/** Checks the parts of a declaration that depend on the policy and the clock. */
function checkDeclaration(deps: IncidentDeps, input: DeclareIncidentInput, now: Date): void {
  const { policy } = deps;
  const issues: FieldIssue[] = [];
  const severityIds = policy.policy.severities.map((s) => s.id);
  if (!severityIds.includes(input.severity)) {
    issues.push({ field: 'body.severity', reason: `must be one of ${severityIds.join(', ')}` });
  }
  if (input.openedAt && input.openedAt.getTime() > now.getTime()) {
    issues.push({
      field: 'body.openedAt',
      reason: `must not be in the future (now is ${now.toISOString()})`,
    });
  }
  issues.push(...classificationIssues(policy, input));
  if (issues.length > 0) throw new ValidationFailed(issues);
}

/** A category and components, checked against the policy's lists; fields named as in the request body. */
export function classificationIssues(
  policy: Pick<ActivePolicy, 'categoryIds' | 'componentIds'>,
  input: { category?: string | undefined; components?: readonly ComponentImpact[] | undefined },
): FieldIssue[] {
  const issues = componentIssues(policy.componentIds, input.components ?? []).map((i) => ({
    ...i,
    field: `body.${i.field}`,
  }));
  if (input.category !== undefined && !policy.categoryIds.includes(input.category)) {
    issues.push({ field: 'body.category', reason: `must be one of ${policy.categoryIds.join(', ')}` });
  }
  return issues;
}

export function componentIssues(
  known: readonly string[],
  components: readonly ComponentImpact[],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  components.forEach((c, i) => {
    if (!known.includes(c.component)) {
      issues.push({ field: `components.${i}.component`, reason: `must be one of ${known.join(', ')}` });
    }
    if (seen.has(c.component)) issues.push({ field: `components.${i}.component`, reason: 'is listed twice' });
    seen.add(c.component);
  });
  return issues;
}

/** What opening an incident needs, whoever opens it (a person declaring, or a detection rule). */
export interface OpenIncidentInput {
  title: string;
  description: string;
  severity: string;
  openedAt: Date;
  category?: string | undefined;
  components?: ComponentImpact[] | undefined;
  declaredBy: { userId: string; email: string };
  actor: Actor;
  owner: Person | null;
  responders: readonly Person[];
  now: Date;
  /** The live exercise this incident practises. */
  exerciseId?: string | null | undefined;
}

/**
 * Opens an incident inside `trx`: the record and its reference, the owner
 * and responders, components, every response clock started at `openedAt`
 * (judged in or out of hours at that instant), the declaration on the
 * timeline and the audit chain, and the notices an opening sends.
 */
export async function openIncident(
  deps: IncidentDeps,
  trx: Transaction<VigilDatabase>,
  input: OpenIncidentInput,
): Promise<Incident> {
  const { dal, details, slaDal, policy } = deps;
  const { openedAt, owner, now } = input;
  const draft: Omit<Incident, 'reference'> = {
    id: randomUUID(),
    title: input.title,
    description: input.description,
    severity: input.severity,
    highestSeverity: input.severity,
    phase: policy.policy.lifecycle.phases[0]!.id,
    category: input.category ?? null,
    openedAt,
    declaredAt: now,
    declaredBy: input.declaredBy,
    outOfHours: !policy.calendar.isBusinessTime(openedAt),
    exerciseId: input.exerciseId ?? null,
    evidencePurgedAt: null,
    policyVersion: policy.version,
    updatedAt: now,
    ownerId: owner?.userId ?? null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    triage: null,
    triageStartedAt: null,
    duplicateOf: null,
    closedAt: null,
  };
  const clocks = startIncidentClocks(policy.policy, policy.calendar, input.severity, openedAt);
  const seq = await dal.insert(trx, draft);
  const created: Incident = { ...draft, reference: `INC-${seq}` };
  await dal.setReference(trx, created.id, created.reference);
  const by = formatActor(input.actor);
  if (owner)
    await details.addRole(trx, { incidentId: created.id, role: 'owner', userId: owner.userId, at: now, by });
  for (const responder of input.responders) {
    if (responder.userId === owner?.userId) continue;
    await details.addRole(trx, {
      incidentId: created.id,
      role: 'responder',
      userId: responder.userId,
      at: now,
      by,
    });
  }
  await details.replaceComponents(trx, created.id, input.components ?? []);
  await slaDal.insert(trx, created.id, clocks);
  await recordIncidentEvent(deps, trx, {
    incidentId: created.id,
    actor: input.actor,
    at: now,
    kind: 'declared',
    action: 'incident.declared',
    summary: `${created.exerciseId ? '[EXERCISE] ' : ''}${created.reference} declared: ${created.title} (${created.severity})`,
    data: {
      reference: created.reference,
      title: created.title,
      severity: created.severity,
      description: created.description,
      category: created.category,
      phase: created.phase,
      openedAt: toDbInstant(openedAt),
      outOfHours: created.outOfHours,
      exerciseId: created.exerciseId,
      policyVersion: created.policyVersion,
      owner: owner?.email ?? null,
      responders: input.responders.map((r) => r.email),
      dueAt: Object.fromEntries(clocks.map((c) => [c.name, c.dueAt.toISOString()])),
    },
  });
  await deps.notices.declared(trx, created, now);
  return created;
}

/** Declaring, reading and listing incidents, and their notes and decisions. */
export function createIncidentService(deps: IncidentDeps) {
  const { db, dal, clock, policy, people } = deps;

  async function declare(
    principal: Principal,
    input: DeclareIncidentInput,
    exerciseId: string | null = null,
  ): Promise<IncidentView> {
    const now = clock.now();
    checkDeclaration(deps, input, now);
    const owner = await people.findByEmail(db, policy.policy.command.primaryOwner.email.toLowerCase());
    const incident = await db.transaction().execute((trx) =>
      openIncident(deps, trx, {
        ...input,
        openedAt: input.openedAt ?? now,
        declaredBy: { userId: principal.user.id, email: principal.user.email },
        actor: actorOf(principal),
        owner,
        responders: [],
        now,
        exerciseId,
      }),
    );
    return viewIncident(deps, db, incident, now);
  }

  return {
    /**
     * Declares an incident: the policy's primary owner takes command, and
     * every response clock starts at `openedAt` (default now), judged in or
     * out of hours at that instant.
     */
    declare: (principal: Principal, input: DeclareIncidentInput) => declare(principal, input),

    /** Declares the incident of a live exercise: flagged as practice everywhere it appears. */
    declareExercise: (principal: Principal, input: DeclareIncidentInput, exerciseId: string) =>
      declare(principal, input, exerciseId),

    /** One incident by id (UUID) or reference (`INC-12`), with people, checklist and clocks. */
    async get(idOrReference: string): Promise<IncidentView> {
      const { incident } = await findIncident(dal, db, idOrReference);
      return viewIncident(deps, db, incident, clock.now());
    },

    /** A page of incidents, newest opened first, matching `filter`. */
    async list(options: {
      limit: number;
      cursor?: string | undefined;
      filter?: IncidentFilter;
    }): Promise<IncidentSummaryPage> {
      const now = clock.now();
      const cursor = options.cursor ? decodeIncidentCursor(options.cursor) : null;
      // One extra row tells whether another page follows without a count query.
      const records = await dal.listNewestFirst(db, {
        limit: options.limit + 1,
        cursor,
        filter: options.filter ?? {},
        now,
      });
      const page = records.slice(0, options.limit);
      const last = page[page.length - 1];
      const nextCursor =
        records.length > options.limit && last
          ? encodeIncidentCursor({ openedAt: toDbInstant(last.incident.openedAt), seq: last.seq })
          : null;
      return {
        items: await summarise(
          deps,
          db,
          page.map((r) => r.incident),
          now,
        ),
        nextCursor,
      };
    },

    /** Adds a note, or a decision (what, why, and the alternatives weighed), to the timeline. */
    async addTimelineEntry(
      principal: Principal,
      idOrReference: string,
      input: {
        kind: 'note' | 'decision';
        text: string;
        rationale?: string | undefined;
        alternatives?: string[] | undefined;
      },
    ): Promise<TimelineEntry> {
      const now = clock.now();
      const { incident } = await findIncident(dal, db, idOrReference);
      const data =
        input.kind === 'decision'
          ? {
              decision: input.text,
              rationale: input.rationale ?? null,
              alternatives: input.alternatives ?? [],
            }
          : { text: input.text };
      return db.transaction().execute(async (trx) => {
        const entry = await deps.timeline.record(trx, {
          incidentId: incident.id,
          at: now,
          kind: input.kind,
          actor: formatActor(actorOf(principal)),
          summary: input.text,
          data,
        });
        await deps.audit.append(trx, {
          actor: actorOf(principal),
          action: `incident.${input.kind}_added`,
          subject: { type: 'incident', id: incident.id },
          detail: { entryId: entry.id, ...data },
          at: now,
        });
        return entry;
      });
    },

    async timeline(idOrReference: string, kinds?: readonly TimelineKind[]): Promise<TimelineEntry[]> {
      const { incident } = await findIncident(dal, db, idOrReference);
      return deps.timeline.list(incident.id, kinds);
    },
  };
}

export type IncidentService = ReturnType<typeof createIncidentService>;
