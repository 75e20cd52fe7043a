/** The API shapes of incidents: zod schemas that validate requests and document them in OpenAPI. */
import { z } from 'zod';
import { SLA_TARGET_NAMES } from '../sla/sla-targets.ts';
import { TIMELINE_KINDS, type TimelineEntry } from '../timeline/timeline-types.ts';
import { type BreachClock, IMPACT_LEVELS, type IncidentView } from './incident-types.ts';
import type { IncidentSummary } from './incident-view.ts';

export const Instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant with an offset or Z');
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const PersonSchema = z.object({ email: z.string(), name: z.string() }).meta({ id: 'Person' });

const ClockSchema = z
  .object({
    kind: z.enum(['wall', 'business']),
    startedAt: Instant,
    atRiskAt: Instant,
    dueAt: Instant,
    metAt: Instant.nullable(),
    stoppedAt: Instant.nullable().describe('Set when the clock stopped unmet because it no longer applies'),
    state: z.enum(['pending', 'at_risk', 'met', 'breached']),
    breaches: z.number().int().describe('Periods of this clock breached so far (customer updates have many)'),
  })
  .meta({ id: 'SlaClock' });

export const ComponentImpactSchema = z
  .object({
    component: z.string(),
    confidentiality: z.enum(IMPACT_LEVELS),
    integrity: z.enum(IMPACT_LEVELS),
    availability: z.enum(IMPACT_LEVELS),
  })
  .strict()
  .meta({ id: 'ComponentImpact' });

const summaryShape = {
  id: z.uuid(),
  reference: z.string().describe('Human reference, INC-<n>'),
  title: z.string(),
  description: z.string(),
  severity: z.string(),
  highestSeverity: z.string(),
  phase: z.string(),
  category: z.string().nullable(),
  openedAt: Instant,
  declaredAt: Instant,
  declaredBy: z.object({ userId: z.string(), email: z.string() }),
  outOfHours: z.boolean(),
  exercise: z.boolean().describe('A live exercise: practice, kept out of metrics and registers'),
  exerciseId: z.string().nullable(),
  evidencePurgedAt: Instant.nullable().describe(
    'When the retention policy purged the evidence; only this record and the audit log remain',
  ),
  policyVersion: z.string().describe('Content hash of the policy the incident was opened under'),
  updatedAt: Instant,
  owner: PersonSchema.nullable(),
  roles: z.object({
    owner: PersonSchema.nullable(),
    responders: z.array(PersonSchema),
    communications_lead: PersonSchema.nullable(),
    regulator_approver: PersonSchema.nullable(),
  }),
  acknowledgedAt: Instant.nullable(),
  acknowledgedBy: z.string().nullable(),
  triage: z
    .object({ decision: z.string(), reason: z.string(), decidedAt: Instant, startedAt: Instant.nullable() })
    .nullable(),
  duplicateOf: z.string().nullable(),
  closedAt: Instant.nullable(),
  sla: z.object(
    Object.fromEntries(SLA_TARGET_NAMES.map((n) => [n, ClockSchema.nullable()])) as Record<
      (typeof SLA_TARGET_NAMES)[number],
      z.ZodNullable<typeof ClockSchema>
    >,
  ),
};

export const IncidentSummarySchema = z.object(summaryShape).meta({ id: 'IncidentSummary' });

const BreachClockSchema = z.object({
  dueAt: z.string().nullable(),
  metAt: z.string().nullable(),
  state: z.string().describe('pending, at_risk, met, breached, not_required, not_started or information'),
});

export const IncidentSchema = z
  .object({
    ...summaryShape,
    components: z.array(ComponentImpactSchema),
    checklist: z.array(
      z.object({
        phase: z.string(),
        item: z.string(),
        text: z.string(),
        mandatory: z.boolean(),
        done: z.boolean(),
      }),
    ),
    runbook: z.string().nullable().describe("The category runbook's steps for the current phase (Markdown)"),
    affectedCustomers: z
      .array(z.object({ id: z.uuid(), name: z.string() }))
      .describe('Customers linked as affected, by name'),
    breach: z
      .object({
        status: z.string(),
        role: z.string(),
        clocks: z.object({ customer: BreachClockSchema.nullable(), regulator: BreachClockSchema.nullable() }),
        obligations: z.array(
          BreachClockSchema.extend({ regime: z.string(), obligation: z.string(), name: z.string() }),
        ),
      })
      .nullable()
      .describe('The personal data breach recorded on the incident, with its legal clocks'),
  })
  .meta({ id: 'Incident' });

export const TimelineEntrySchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    at: Instant,
    kind: z.enum(TIMELINE_KINDS),
    actor: z.string(),
    summary: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineEntry' });

const person = (p: { email: string; name: string } | null) => (p ? { email: p.email, name: p.name } : null);

export function summaryJson(i: IncidentSummary): z.infer<typeof IncidentSummarySchema> {
  const sla = Object.fromEntries(
    SLA_TARGET_NAMES.map((n) => {
      const c = i.sla[n];
      return [
        n,
        c
          ? {
              ...c,
              startedAt: iso(c.startedAt)!,
              atRiskAt: iso(c.atRiskAt)!,
              dueAt: iso(c.dueAt)!,
              metAt: iso(c.metAt),
              stoppedAt: iso(c.stoppedAt),
            }
          : null,
      ];
    }),
  ) as z.infer<typeof IncidentSummarySchema>['sla'];
  return {
    id: i.id,
    reference: i.reference,
    title: i.title,
    description: i.description,
    severity: i.severity,
    highestSeverity: i.highestSeverity,
    phase: i.phase,
    category: i.category,
    openedAt: iso(i.openedAt)!,
    declaredAt: iso(i.declaredAt)!,
    declaredBy: i.declaredBy,
    outOfHours: i.outOfHours,
    exercise: i.exerciseId !== null,
    exerciseId: i.exerciseId,
    evidencePurgedAt: iso(i.evidencePurgedAt),
    policyVersion: i.policyVersion,
    updatedAt: iso(i.updatedAt)!,
    owner: person(i.owner),
    roles: {
      owner: person(i.roles.owner),
      responders: i.roles.responders.map((p) => person(p)!),
      communications_lead: person(i.roles.communications_lead),
      regulator_approver: person(i.roles.regulator_approver),
    },
    acknowledgedAt: iso(i.acknowledgedAt),
    acknowledgedBy: i.acknowledgedBy,
    triage: i.triage
      ? { ...i.triage, decidedAt: iso(i.triage.decidedAt)!, startedAt: iso(i.triageStartedAt) }
      : null,
    duplicateOf: i.duplicateOf,
    closedAt: iso(i.closedAt),
    sla,
  };
}

function breachClockJson(c: BreachClock) {
  return { dueAt: iso(c.dueAt), metAt: iso(c.metAt), state: c.state };
}

export function incidentJson(i: IncidentView): z.infer<typeof IncidentSchema> {
  const { breach } = i;
  return {
    ...summaryJson(i),
    components: i.components,
    checklist: i.checklist,
    runbook: i.runbook,
    affectedCustomers: i.affectedCustomers.map((c) => ({ id: c.id, name: c.name })),
    breach: breach
      ? {
          status: breach.status,
          role: breach.role,
          clocks: {
            customer: breach.clocks.customer ? breachClockJson(breach.clocks.customer) : null,
            regulator: breach.clocks.regulator ? breachClockJson(breach.clocks.regulator) : null,
          },
          obligations: breach.obligations.map((o) => ({
            ...breachClockJson(o),
            regime: o.regime,
            obligation: o.obligation,
            name: o.name,
          })),
        }
      : null,
  };
}

export function timelineJson(e: TimelineEntry): z.infer<typeof TimelineEntrySchema> {
  return {
    id: e.id,
    seq: e.seq,
    at: e.at.toISOString(),
    kind: e.kind,
    actor: e.actor,
    summary: e.summary,
    data: e.data,
  };
}
