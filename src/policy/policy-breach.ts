/**
 * The `breachNotification` section of the policy: the legal regimes whose
 * notification deadlines follow an incident, written as data.
 *
 * A regime names what makes it apply (`appliesTo`) and lists its obligations;
 * each obligation is one report or notice to one audience, due `within` a
 * duration on its `clock` after the instant named by `from`. Legal clocks are
 * never paused, so nothing here refers to phases, approvals or severity.
 *
 * Schema messages are written as the "expected" half of a validation issue (see policy-issues.ts).
 */
import { z } from 'zod';
import { type Duration, type DurationUnit, usedUnits } from './policy-duration.ts';
import {
  durationSchema,
  idSchema,
  textSchema,
  uniqueList,
  wallDurationSchema,
} from './policy-schema-parts.ts';

/** What makes a regime apply to an incident. */
export const regimeTriggerSchema = z.enum(
  ['personal_data_breach', 'significant_incident', 'major_ict_incident', 'material_cybersecurity_incident'],
  {
    error:
      'one of "personal_data_breach", "significant_incident", "major_ict_incident", "material_cybersecurity_incident"',
  },
);
export type RegimeTrigger = z.infer<typeof regimeTriggerSchema>;

/** Who an obligation's report or notice goes to. */
export const obligationAudienceSchema = z.enum(['regulator', 'customers', 'people'], {
  error: 'one of "regulator", "customers", "people"',
});
export type ObligationAudience = z.infer<typeof obligationAudienceSchema>;

/**
 * The recorded instant an obligation's clock starts from: `awareness` (of the breach or
 * incident), `confirmation` (of the breach), `determination` (of the incident's significance,
 * major classification or materiality), or `submission` (the first report made for the
 * obligation named in `followsUp`, for stages counted from the previous report).
 */
export const obligationStartSchema = z.enum(['awareness', 'confirmation', 'determination', 'submission'], {
  error: 'one of "awareness", "confirmation", "determination", "submission"',
});
export type ObligationStart = z.infer<typeof obligationStartSchema>;

/**
 * How a legal clock measures time: `wall` is elapsed time (weekends and holidays count),
 * `business` the policy calendar's business time (days are business days), `calendar` the
 * local calendar of the policy's time zone (a month ends on the same date the next month).
 */
export const legalClockSchema = z.enum(['wall', 'business', 'calendar'], {
  error: 'one of "wall", "business", "calendar"',
});
export type LegalClock = z.infer<typeof legalClockSchema>;

/** Whether the breach assessment makes an obligation required. */
export const obligationConditionSchema = z.enum(['always', 'risk_to_rights', 'high_risk'], {
  error: 'one of "always", "risk_to_rights", "high_risk"',
});
export type ObligationCondition = z.infer<typeof obligationConditionSchema>;

const CLOCK_UNITS: Readonly<Record<LegalClock, { units: readonly DurationUnit[]; expected: string }>> = {
  wall: {
    units: ['weeks', 'days', 'hours', 'minutes'],
    expected: 'a wall-clock duration in minutes, hours, days or weeks (for months use clock: calendar)',
  },
  business: {
    units: ['days', 'hours', 'minutes'],
    expected: 'a business-clock duration in minutes, hours or days (days are business days)',
  },
  calendar: {
    units: ['years', 'months', 'weeks', 'days'],
    expected: 'a calendar duration in days, weeks, months or years',
  },
};

function checkLegalClockUnits(
  d: Duration,
  clock: LegalClock,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const { units, expected } = CLOCK_UNITS[clock];
  if (usedUnits(d).every((unit) => units.includes(unit))) return;
  ctx.addIssue({ code: 'custom', message: expected, path });
}

/** A second, earlier-by-rule deadline: the obligation is due at whichever comes first. */
const deadlineCapSchema = z
  .strictObject({ from: obligationStartSchema, within: durationSchema, clock: legalClockSchema })
  .superRefine((cap, ctx) => checkLegalClockUnits(cap.within, cap.clock, ['within'], ctx));

const obligationSchema = z
  .strictObject({
    id: idSchema,
    name: textSchema,
    audience: obligationAudienceSchema,
    from: obligationStartSchema,
    within: durationSchema,
    clock: legalClockSchema,
    /** Optional second deadline; the obligation is due at the earlier of the two (DORA's initial report). */
    notLaterThan: deadlineCapSchema.optional(),
    when: obligationConditionSchema,
    /** What the report must contain, as ids such as `nature` or `contact_point`. */
    content: z.array(idSchema).superRefine((items, ctx) => {
      items.forEach((item, index) => {
        if (items.indexOf(item) !== index) {
          ctx.addIssue({ code: 'custom', message: 'each content item at most once', path: [index] });
        }
      });
    }),
    /** The id of an earlier obligation of the same regime that this one completes (phased reports). */
    followsUp: idSchema.nullable().default(null),
  })
  .superRefine((obligation, ctx) =>
    checkLegalClockUnits(obligation.within, obligation.clock, ['within'], ctx),
  );
export type BreachObligationSpec = z.output<typeof obligationSchema>;

/** Checks references between the obligations of one regime; paths are relative to the regime. */
function checkObligations(obligations: readonly BreachObligationSpec[], ctx: z.RefinementCtx): void {
  const earlier: string[] = [];
  obligations.forEach((obligation, index) => {
    const path = ['obligations', index];
    if (earlier.includes(obligation.id)) {
      ctx.addIssue({
        code: 'custom',
        message: 'an obligation id not used earlier in the regime',
        path: [...path, 'id'],
      });
    }
    const { followsUp } = obligation;
    if (followsUp !== null && !earlier.includes(followsUp)) {
      const known =
        earlier.length > 0 ? `: one of ${earlier.map((id) => `"${id}"`).join(', ')}` : ', which lists none';
      const message = `the id of an earlier obligation of this regime${known}`;
      ctx.addIssue({ code: 'custom', message, path: [...path, 'followsUp'] });
    }
    const starts = [obligation.from, obligation.notLaterThan?.from];
    if (starts.includes('submission') && followsUp === null) {
      const message =
        'a followsUp obligation, whose first submission starts a clock counted from "submission"';
      ctx.addIssue({ code: 'custom', message, path: [...path, 'followsUp'] });
    }
    earlier.push(obligation.id);
  });
}

export const breachRegimeSchema = z
  .strictObject({
    id: idSchema,
    name: textSchema,
    authority: textSchema,
    enabled: z.boolean({ error: 'true or false' }),
    appliesTo: regimeTriggerSchema,
    delayReasonsRequiredWhenLate: z.boolean({ error: 'true or false' }),
    obligations: z.array(obligationSchema).min(1, { error: 'at least one obligation' }),
  })
  .superRefine((regime, ctx) => checkObligations(regime.obligations, ctx));
export type BreachRegime = z.output<typeof breachRegimeSchema>;

/** The `breachNotification` section. */
export const breachNotificationSchema = z.strictObject({
  registerEveryBreach: z.boolean({ error: 'true or false' }),
  /** At-risk warnings before each legal deadline, as elapsed time left (e.g. 24 h, 12 h, 4 h). */
  warnBefore: z.array(wallDurationSchema, { error: 'a list of durations such as [24 hours, 4 hours]' }),
  regimes: uniqueList(breachRegimeSchema),
});
export type BreachNotification = z.output<typeof breachNotificationSchema>;
