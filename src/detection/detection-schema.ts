/**
 * The `detection` section of the policy: rules written as data, validated at policy load.
 * References to other sections (severities, categories) are checked by
 * detection-policy-rules.ts once every section is valid on its own.
 *
 * Schema messages are written as the "expected" half of a validation issue (see
 * src/policy/policy-issues.ts).
 */
import { z } from 'zod';
import { uniqueIds } from '../policy/policy-rules.ts';
import { emailSchema, idSchema, textSchema, wallDurationSchema } from '../policy/policy-schema-parts.ts';
import { SEVERITY_HINTS, SIGNAL_KINDS, SIGNAL_SOURCES, SIGNAL_STATUSES } from '../signal/signal-types.ts';
import { TITLE_BUILT_INS, titleVariables } from './detection-title.ts';

const ENTITY_EXPECTED = 'an entity name such as "principal" or "clientIp"';
const ENTITY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const entityNameSchema = z
  .string({ error: ENTITY_EXPECTED })
  .regex(ENTITY_PATTERN, { error: ENTITY_EXPECTED });

const COUNT_EXPECTED = 'a whole number of at least 1';
const countSchema = z
  .number({ error: COUNT_EXPECTED })
  .int({ error: COUNT_EXPECTED })
  .min(1, { error: COUNT_EXPECTED });

const entityValueSchema = z.union([z.string(), z.number()], { error: 'a value as text or a number' });

/** Adds an issue at each key of `record` that is not an entity name. */
function checkEntityKeys(record: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const key of Object.keys(record)) {
    if (!ENTITY_PATTERN.test(key)) {
      ctx.addIssue({ code: 'custom', message: ENTITY_EXPECTED, path: [key], params: { found: `"${key}"` } });
    }
  }
}

const selectSchema = z.strictObject({
  sources: z.array(z.enum(SIGNAL_SOURCES)).min(1).optional(),
  kinds: z.array(z.enum(SIGNAL_KINDS)).min(1).optional(),
  statuses: z.array(z.enum(SIGNAL_STATUSES)).min(1).optional(),
  /** Entity name to the exact value (or one of the values) it must have. */
  entities: z
    .record(z.string(), z.union([entityValueSchema, z.array(entityValueSchema).min(1)]), {
      error: 'a map from entity name to a value or a list of values',
    })
    .superRefine(checkEntityKeys)
    .optional(),
  minSeverity: z.enum(SEVERITY_HINTS).optional(),
  /** Entity name to the number its numeric value must reach. */
  atLeast: z
    .record(z.string(), z.number({ error: 'a number' }), { error: 'a map from entity name to a number' })
    .superRefine(checkEntityKeys)
    .optional(),
});
export type PolicySignalSelect = z.output<typeof selectSchema>;

const severityObjectSchema = z.strictObject({
  default: idSchema,
  fromSignal: z.boolean({ error: 'true or false' }).optional(),
  /** Entity name to { value or `*` glob: severity id }; the first match wins. */
  byEntity: z
    .record(
      z.string(),
      z.record(z.string(), idSchema, { error: 'a map from value (or "*" glob) to severity id' }),
      { error: 'a map from entity name to { value: severity id }' },
    )
    .superRefine(checkEntityKeys)
    .optional(),
  outOfHours: idSchema.optional(),
});

/** A severity id, or how to choose one from the signal and the time. */
const severitySpecSchema = z.union([idSchema, severityObjectSchema], {
  error: 'a severity id such as "high", or { default, fromSignal, byEntity, outOfHours }',
});
export type PolicyRuleSeverity = z.output<typeof severitySpecSchema>;

const TITLE_MAX = 300;
const titleSchema = textSchema.max(TITLE_MAX, {
  error: `a title template of at most ${TITLE_MAX} characters`,
});

const baseShape = {
  id: idSchema,
  name: textSchema,
  select: selectSchema.optional(),
  groupBy: z.array(entityNameSchema).optional(),
  severity: severitySpecSchema,
  title: titleSchema,
  cooldown: wallDurationSchema,
  correlateOn: z.array(entityNameSchema).optional(),
  maxCorrelation: wallDurationSchema,
  category: idSchema.optional(),
  owner: emailSchema.optional(),
  responders: z.array(emailSchema).optional(),
  suggestsBreach: z.boolean({ error: 'true or false' }).optional(),
};

const windowShape = { window: wallDurationSchema, threshold: countSchema };

const ruleVariants = [
  z.strictObject({ kind: z.literal('match'), ...baseShape }),
  z.strictObject({ kind: z.literal('threshold'), ...baseShape, ...windowShape }),
  z.strictObject({ kind: z.literal('distinct'), ...baseShape, ...windowShape, distinct: entityNameSchema }),
  z.strictObject({
    kind: z.literal('rate'),
    ...baseShape,
    window: wallDurationSchema,
    baseline: wallDurationSchema,
    factor: z.number({ error: 'a number greater than 0' }).positive({ error: 'a number greater than 0' }),
    minimum: countSchema,
  }),
] as const;

type RuleOutput = z.output<(typeof ruleVariants)[number]>;

/** The variables a rule's title may use: the entity names the rule names anywhere, plus the built-ins. */
export function titleNamesOf(rule: RuleOutput): string[] {
  const names = new Set<string>([
    ...TITLE_BUILT_INS,
    ...(rule.groupBy ?? []),
    ...Object.keys(rule.select?.entities ?? {}),
    ...Object.keys(rule.select?.atLeast ?? {}),
    ...(rule.correlateOn ?? []),
    ...(typeof rule.severity === 'string' ? [] : Object.keys(rule.severity.byEntity ?? {})),
  ]);
  if (rule.kind === 'distinct') names.add(rule.distinct);
  return [...names];
}

/** The rules a schema cannot say field by field; paths are relative to the rule. */
function checkRule(rule: RuleOutput, ctx: z.RefinementCtx): void {
  const used = titleVariables(rule.title);
  if (!used.ok) {
    const message = 'a variable written {{name}}: a letter, then letters, digits, ".", "_" or "-"';
    ctx.addIssue({ code: 'custom', message, path: ['title'], params: { found: `"${used.bad}"` } });
  } else {
    const allowed = titleNamesOf(rule);
    for (const name of used.names.filter((n) => !allowed.includes(n))) {
      const message = `a title variable among ${allowed.join(', ')} (entity names the rule uses)`;
      ctx.addIssue({ code: 'custom', message, path: ['title'], params: { found: `{{${name}}}` } });
    }
  }
  // Windows count only what is still happening; a resolution is recorded on the incident instead.
  const statuses = rule.select?.statuses ?? [];
  if (rule.kind !== 'match' && statuses.includes('resolved')) {
    const index = statuses.indexOf('resolved');
    const message = '"firing": only match rules may select resolved signals';
    ctx.addIssue({ code: 'custom', message, path: ['select', 'statuses', index] });
  }
  if (rule.kind === 'distinct' && rule.groupBy?.includes(rule.distinct)) {
    const message = 'an entity not in groupBy (each group would only ever have one value)';
    ctx.addIssue({ code: 'custom', message, path: ['distinct'] });
  }
}

const ruleSchema = z
  .discriminatedUnion('kind', ruleVariants, {
    error: 'a rule kind: one of "match", "threshold", "distinct", "rate"',
  })
  .superRefine(checkRule);
/** A detection rule as written in the policy, durations parsed. */
export type PolicyDetectionRule = z.output<typeof ruleSchema>;

/** The `detection` section; a policy without one has no rules. */
export const detectionSchema = z
  .strictObject({
    rules: z.array(ruleSchema).superRefine((rules, ctx) => uniqueIds(rules, [], ctx)),
  })
  .default({ rules: [] });
export type PolicyDetection = z.output<typeof detectionSchema>;
