/**
 * Checks of the `detection` section against the rest of the policy: severity and category ids
 * must be the policy's own. Called by src/policy/policy-rules.ts once every section is valid on
 * its own; paths are from the policy's root.
 *
 * Imports nothing from detection-schema.ts at run time: the policy schema imports this module
 * (through policy-rules.ts), and the detection schema imports the policy's schema parts.
 */
import type { z } from 'zod';
import type { Policy } from '../policy/policy-types.ts';
import { SEVERITY_HINTS } from '../signal/signal-types.ts';

function oneOf(ids: readonly string[]): string {
  return `one of ${ids.map((id) => JSON.stringify(id)).join(', ')}`;
}

/** The severity ids `fromSignal` maps signal hints to (info counts as low). */
export const HINT_SEVERITIES: readonly string[] = SEVERITY_HINTS.filter((hint) => hint !== 'info');

type Rule = Policy['detection']['rules'][number];

/** Each severity id a rule names, with its path relative to the rule. */
function severityRefs(rule: Rule): [PropertyKey[], string][] {
  const spec = rule.severity;
  if (typeof spec === 'string') return [[['severity'], spec]];
  const refs: [PropertyKey[], string][] = [[['severity', 'default'], spec.default]];
  if (spec.outOfHours !== undefined) refs.push([['severity', 'outOfHours'], spec.outOfHours]);
  for (const [entity, patterns] of Object.entries(spec.byEntity ?? {})) {
    for (const [pattern, id] of Object.entries(patterns))
      refs.push([['severity', 'byEntity', entity, pattern], id]);
  }
  return refs;
}

/** Adds an issue for each reference of a detection rule to a severity or category the policy lacks. */
export function checkDetection(policy: Policy, ctx: z.RefinementCtx): void {
  const severityIds = policy.severities.map((severity) => severity.id);
  const categoryIds = policy.categories.map((category) => category.id);
  const missingHints = HINT_SEVERITIES.filter((id) => !severityIds.includes(id));
  policy.detection.rules.forEach((rule, index) => {
    const base = ['detection', 'rules', index];
    for (const [path, id] of severityRefs(rule)) {
      if (severityIds.length > 0 && !severityIds.includes(id)) {
        ctx.addIssue({
          code: 'custom',
          message: `a severity id: ${oneOf(severityIds)}`,
          path: [...base, ...path],
        });
      }
    }
    if (typeof rule.severity !== 'string' && rule.severity.fromSignal === true && missingHints.length > 0) {
      const message = `false: fromSignal maps hints to the severities ${HINT_SEVERITIES.join(', ')}, and the policy lacks ${missingHints.join(', ')}`;
      ctx.addIssue({ code: 'custom', message, path: [...base, 'severity', 'fromSignal'] });
    }
    // With no categories (or severities) at all, the issue is reported at that section instead.
    if (rule.category !== undefined && categoryIds.length > 0 && !categoryIds.includes(rule.category)) {
      const message = `a category id: ${oneOf(categoryIds)}`;
      ctx.addIssue({ code: 'custom', message, path: [...base, 'category'] });
    }
  });
}
