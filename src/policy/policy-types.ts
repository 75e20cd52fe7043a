/**
 * Schemas and types of the policy file: the organisation's incident response
 * process written as data. Every object is strict so that a misspelt key is an
 * error rather than a silently ignored setting.
 *
 * Schema messages are written as the "expected" half of a validation issue
 * (see policy-issues.ts), e.g. `a time "HH:MM"`.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { Weekday } from '../calendar/calendar-types.ts';
import { detectionSchema } from '../detection/detection-schema.ts';
import { breachNotificationSchema } from './policy-breach.ts';
import { communicationsSchema } from './policy-communications.ts';
import { evidenceSchema } from './policy-evidence.ts';
import { checkPhaseOrder, checkPolicyRules, isKnownHolidayRegion, isValidLocalDate } from './policy-rules.ts';
import {
  checkClockUnits,
  clockKindSchema,
  clockSpecSchema,
  durationSchema,
  idSchema,
  isRunbookPath,
  personSchema,
  textSchema,
  uniqueList,
} from './policy-schema-parts.ts';

export type {
  BreachNotification,
  BreachObligationSpec,
  BreachRegime,
  LegalClock,
  ObligationAudience,
  ObligationCondition,
  ObligationStart,
  RegimeTrigger,
} from './policy-breach.ts';
export type { Communications, EmergencyPath, PolicyWebhook, TemplateEntry } from './policy-communications.ts';
export { templateAudienceSchema } from './policy-communications.ts';
export type { ClockKind, ClockSpec, PolicyPerson } from './policy-schema-parts.ts';
export {
  clockKindSchema,
  clockSpecSchema,
  durationSchema,
  isPolicyFolderPath,
  isRunbookPath,
  isTemplatePath,
} from './policy-schema-parts.ts';

const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const satisfies readonly Weekday[];

/** One due time: `within` measured on `clock` from the clock's start. */

/** A response target with an optional variant for incidents opened out of hours. */
export const slaTargetSchema = z
  .strictObject({ within: durationSchema, clock: clockKindSchema, outOfHours: clockSpecSchema.optional() })
  .superRefine((spec, ctx) => checkClockUnits(spec.within, spec.clock, ['within'], ctx));
export type SlaTarget = z.infer<typeof slaTargetSchema>;

/** The first customer update (`within`) and the cadence after it (`every`). */
export const customerUpdateTargetSchema = z
  .strictObject({
    within: durationSchema,
    every: durationSchema,
    clock: clockKindSchema,
    onPhaseChange: z.boolean({ error: 'true or false' }),
    outOfHours: clockSpecSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    checkClockUnits(spec.within, spec.clock, ['within'], ctx);
    checkClockUnits(spec.every, spec.clock, ['every'], ctx);
  });
export type CustomerUpdateTarget = z.infer<typeof customerUpdateTargetSchema>;

/** The response targets of one severity. */
export const severitySlaSchema = z.strictObject({
  acknowledge: slaTargetSchema,
  triage: slaTargetSchema,
  containment: slaTargetSchema,
  customerUpdate: customerUpdateTargetSchema.nullable(),
});
export type SeveritySla = z.infer<typeof severitySlaSchema>;

const TIME_EXPECTED = 'a 24-hour local time "HH:MM", quoted, such as "09:00"';
const localTimeSchema = z.string({ error: TIME_EXPECTED }).regex(TIME_PATTERN, { error: TIME_EXPECTED });

const businessHoursSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS), { error: 'a list of weekdays such as [monday, friday]' })
      .min(1, { error: 'at least one weekday' }),
    opensAt: localTimeSchema,
    closesAt: localTimeSchema,
  })
  .superRefine((hours, ctx) => {
    // Zero-padded "HH:MM" strings sort in time order.
    if (hours.closesAt <= hours.opensAt) {
      ctx.addIssue({
        code: 'custom',
        message: `a closing time later than opensAt ${hours.opensAt}`,
        path: ['closesAt'],
      });
    }
    if (new Set(hours.days).size !== hours.days.length) {
      ctx.addIssue({ code: 'custom', message: 'each weekday at most once', path: ['days'] });
    }
  });

const holidaysSchema = z
  .strictObject({
    country: z.string({ error: 'a country code such as "GB"' }),
    subdivision: z.string().optional(),
  })
  .superRefine((region, ctx) => {
    const problem = isKnownHolidayRegion(region.country, region.subdivision);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.expected, path: [problem.field] });
  });

const ZONE_EXPECTED = 'an IANA time zone such as "Europe/London"';

const timeSchema = z.strictObject({
  timeZone: z
    .string({ error: ZONE_EXPECTED })
    .refine((zone) => IANAZone.isValidZone(zone), { error: ZONE_EXPECTED }),
  businessHours: businessHoursSchema,
  holidays: holidaysSchema.nullable(),
  closures: z.array(
    z
      .string({ error: 'a date "YYYY-MM-DD"' })
      .refine(isValidLocalDate, { error: 'a real date "YYYY-MM-DD"' }),
  ),
});

const severitySchema = z.strictObject({
  id: idSchema,
  name: textSchema,
  definition: textSchema,
  examples: z.array(textSchema),
});
export type Severity = z.infer<typeof severitySchema>;

const checklistItemSchema = z.strictObject({ id: idSchema, text: textSchema, mandatory: z.boolean() });
export type ChecklistItem = z.infer<typeof checklistItemSchema>;

const phaseSchema = z.strictObject({
  id: idSchema,
  name: textSchema,
  description: textSchema,
  checklist: uniqueList(checklistItemSchema),
});
export type Phase = z.infer<typeof phaseSchema>;

const RUNBOOK_PATH_EXPECTED =
  'a relative path to a Markdown file inside the policy folder, such as "runbooks/unauthorised-access.md"';

const runbookPathSchema = z
  .string({ error: RUNBOOK_PATH_EXPECTED })
  .refine(isRunbookPath, { error: RUNBOOK_PATH_EXPECTED });

const categorySchema = z.strictObject({
  id: idSchema,
  name: textSchema,
  description: textSchema,
  /** Markdown file, relative to the policy file's folder, with one `## <phase id>` section per phase. */
  runbook: runbookPathSchema.optional(),
});
/** A kind of incident, chosen when the incident is classified. */
export type Category = z.infer<typeof categorySchema>;

const componentSchema = z.strictObject({
  id: idSchema,
  name: textSchema,
  description: textSchema.optional(),
});
/** A part of the organisation's systems that an incident can affect. */
export type Component = z.infer<typeof componentSchema>;

/** A category's runbook as loaded: its path as written in the policy and its steps per phase. */
export interface Runbook {
  /** Relative to the policy file's folder, e.g. `runbooks/unauthorised-access.md`. */
  path: string;
  /** Phase id to the Markdown under that phase's heading (heading excluded); phases without a section are absent. */
  phases: Record<string, string>;
}

const roleSchema = z.strictObject({ id: idSchema, name: textSchema, description: textSchema });
export type Role = z.infer<typeof roleSchema>;

/** Who is told when a response clock is breached. */
export const breachRecipientSchema = z.enum(['incident_owner', 'next_in_succession']);
export type BreachRecipient = z.infer<typeof breachRecipientSchema>;

const FRACTION_EXPECTED = 'a fraction strictly between 0 and 1, such as 0.75';

const slaRulesSchema = z.strictObject({
  atRiskFraction: z
    .number({ error: FRACTION_EXPECTED })
    .gt(0, { error: FRACTION_EXPECTED })
    .lt(1, { error: FRACTION_EXPECTED }),
  customerUpdatesUntil: idSchema,
  notifyOnBreach: z.array(breachRecipientSchema).min(1, { error: 'at least one recipient' }),
  /** Where a severity's customer updates follow phase changes, how soon after a change the update is due. */
  milestoneUpdate: clockSpecSchema,
});

const retentionRuleSchema = <From extends string>(from: From) =>
  z.strictObject({ keep: durationSchema, from: z.literal(from) });

const policyObjectSchema = z.strictObject({
  schemaVersion: z.literal(1),
  organization: z.strictObject({ name: textSchema, trustCentreUrl: z.url().optional() }),
  time: timeSchema,
  severities: uniqueList(severitySchema).min(1, { error: 'at least one severity' }),
  categories: uniqueList(categorySchema).min(1, { error: 'at least one category' }),
  components: uniqueList(componentSchema).min(1, { error: 'at least one component' }),
  slas: z.record(z.string(), severitySlaSchema, { error: 'a map from severity id to response targets' }),
  slaRules: slaRulesSchema,
  lifecycle: z
    .strictObject({
      phases: uniqueList(phaseSchema).min(2, { error: 'at least the phases identify and closed' }),
    })
    .superRefine((lifecycle, ctx) => checkPhaseOrder(lifecycle.phases, ctx)),
  roles: uniqueList(roleSchema).min(1, { error: 'at least one role' }),
  command: z.strictObject({
    primaryOwner: personSchema,
    succession: z.array(personSchema),
    regulatorContactApprover: idSchema,
    regulatorContactInputs: z.array(textSchema),
  }),
  /** Legal regimes and their notification obligations (see policy-breach.ts). */
  breachNotification: breachNotificationSchema,
  retention: z.strictObject({
    telemetry: retentionRuleSchema('receipt'),
    evidence: retentionRuleSchema('incident_closed'),
    legalHoldBlocksPurge: z.boolean(),
  }),
  reviews: z.strictObject({
    requiredForSeverities: z.array(idSchema),
    approver: idSchema,
    correctiveActionsNeedOwnerAndDueDate: z.boolean(),
  }),
  exercises: z.strictObject({ every: durationSchema, warnBefore: durationSchema }),
  /** Attachment size limit and evidence requests (see policy-evidence.ts); optional, with defaults. */
  evidence: evidenceSchema,
  communications: communicationsSchema,
  /** Detection rules: which signals open incidents (see src/detection/). */
  detection: detectionSchema,
});

/** The whole policy file, with the rules that relate one section to another. */
export const policySchema = policyObjectSchema.superRefine(checkPolicyRules);

/** A validated policy, durations parsed. */
export type Policy = z.output<typeof policyObjectSchema>;
/** A policy as written in the file, before parsing. */
export type PolicyInput = z.input<typeof policyObjectSchema>;
