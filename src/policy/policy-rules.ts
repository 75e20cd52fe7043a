/**
 * Validation rules of the policy that a plain schema cannot express: checks
 * against external data (holiday regions, calendar dates), references from
 * one section of the policy to another, and what Vigil itself requires of
 * the policy's message templates.
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { REQUIRED_TEMPLATES } from '../communication/message-template.ts';
import { checkDetection } from '../detection/detection-policy-rules.ts';
import { addCalendarDuration } from './policy-duration.ts';
import type { Policy } from './policy-types.ts';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD` (so 2026-02-30 is refused). */
export function isValidLocalDate(text: string): boolean {
  return DATE_PATTERN.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/**
 * Checks a holiday region against the date-holidays data set.
 *
 * @returns null when known, else the offending field and what was expected there.
 */
export function isKnownHolidayRegion(
  country: string,
  subdivision: string | undefined,
): { field: 'country' | 'subdivision'; expected: string } | null {
  const holidays = new Holidays();
  if (!Object.hasOwn(holidays.getCountries(), country)) {
    return { field: 'country', expected: 'a country code known to date-holidays, such as "GB"' };
  }
  if (subdivision === undefined) return null;
  const states = holidays.getStates(country) ?? {};
  if (Object.hasOwn(states, subdivision)) return null;
  const known = Object.keys(states);
  const hint = known.length > 0 ? `one of ${known.join(', ')}` : `nothing: ${country} has no subdivisions`;
  return { field: 'subdivision', expected: `a subdivision of ${country} known to date-holidays: ${hint}` };
}

/** Adds an issue for every id that repeats an earlier one in `items`. */
export function uniqueIds(items: readonly { id: string }[], path: PropertyKey[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.id)) {
      ctx.addIssue({
        code: 'custom',
        message: `an id not used earlier in the list`,
        path: [...path, index, 'id'],
      });
    }
    seen.add(item.id);
  });
}

function oneOf(ids: readonly string[]): string {
  return `one of ${ids.map((id) => JSON.stringify(id)).join(', ')}`;
}

function checkSlaKeys(policy: Policy, ctx: z.RefinementCtx): void {
  const severityIds = policy.severities.map((severity) => severity.id);
  for (const id of severityIds) {
    if (!Object.hasOwn(policy.slas, id)) {
      ctx.addIssue({ code: 'custom', message: `response targets for severity "${id}"`, path: ['slas', id] });
    }
  }
  for (const key of Object.keys(policy.slas)) {
    if (!severityIds.includes(key)) {
      const params = { found: `targets for an undeclared severity "${key}"` };
      ctx.addIssue({
        code: 'custom',
        message: `a severity id: ${oneOf(severityIds)}`,
        path: ['slas', key],
        params,
      });
    }
  }
}

/** Checks the fixed ends of the lifecycle; paths are relative to `lifecycle`. */
export function checkPhaseOrder(phases: readonly { id: string }[], ctx: z.RefinementCtx): void {
  // The engine relies on a fixed entry and exit: incidents open in identify and end in closed.
  if (phases[0]?.id !== 'identify') {
    ctx.addIssue({ code: 'custom', message: 'the first phase to be "identify"', path: ['phases', 0, 'id'] });
  }
  if (phases[phases.length - 1]?.id !== 'closed') {
    const path = ['phases', phases.length - 1, 'id'];
    ctx.addIssue({ code: 'custom', message: 'the last phase to be "closed"', path });
  }
}

function checkCustomerUpdatesUntil(policy: Policy, ctx: z.RefinementCtx): void {
  const ids = policy.lifecycle.phases.map((phase) => phase.id);
  if (!ids.includes(policy.slaRules.customerUpdatesUntil)) {
    ctx.addIssue({
      code: 'custom',
      message: `a phase id: ${oneOf(ids)}`,
      path: ['slaRules', 'customerUpdatesUntil'],
    });
  }
}

function checkReferences(policy: Policy, ctx: z.RefinementCtx): void {
  const severityIds = policy.severities.map((severity) => severity.id);
  policy.reviews.requiredForSeverities.forEach((id, index) => {
    if (!severityIds.includes(id)) {
      const message = `a severity id: ${oneOf(severityIds)}`;
      ctx.addIssue({ code: 'custom', message, path: ['reviews', 'requiredForSeverities', index] });
    }
  });
  const roleIds = policy.roles.map((role) => role.id);
  const roleRefs: [string[], string][] = [
    [['reviews', 'approver'], policy.reviews.approver],
    [['command', 'regulatorContactApprover'], policy.command.regulatorContactApprover],
  ];
  for (const [path, id] of roleRefs) {
    if (!roleIds.includes(id))
      ctx.addIssue({ code: 'custom', message: `a role id: ${oneOf(roleIds)}`, path });
  }
}

// Any fixed instant works: the comparison only asks which duration is longer.
const REFERENCE_INSTANT = DateTime.fromISO('2001-01-01T00:00:00Z').toJSDate();

function checkExercises(policy: Policy, ctx: z.RefinementCtx): void {
  const { every, warnBefore } = policy.exercises;
  const zone = 'UTC';
  if (
    addCalendarDuration(REFERENCE_INSTANT, warnBefore, zone) >=
    addCalendarDuration(REFERENCE_INSTANT, every, zone)
  ) {
    const message = `a warning period shorter than the exercise interval (${every.text})`;
    ctx.addIssue({ code: 'custom', message, path: ['exercises', 'warnBefore'] });
  }
}

/** Adds an issue at `path.<index>` for each of `ids` that is not among `known`, described as `what`. */
function checkIdList(
  ids: readonly string[],
  known: readonly string[],
  what: string,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const message = known.length > 0 ? `${what}: ${oneOf(known)}` : `${what}, which lists none`;
  ids.forEach((id, index) => {
    if (!known.includes(id)) ctx.addIssue({ code: 'custom', message, path: [...path, index] });
  });
}

function checkCommunications(policy: Policy, ctx: z.RefinementCtx): void {
  const { approvers, emergency, webhooks, templates } = policy.communications;
  const base = ['communications'];
  const roleIds = policy.roles.map((role) => role.id);
  for (const audience of ['customers', 'internal'] as const) {
    checkIdList(approvers[audience], roleIds, 'a role id', [...base, 'approvers', audience], ctx);
  }
  const severityIds = policy.severities.map((severity) => severity.id);
  checkIdList(emergency.severities, severityIds, 'a severity id', [...base, 'emergency', 'severities'], ctx);
  const webhookIds = webhooks.map((webhook) => webhook.id);
  const webhookPath = [...base, 'emergency', 'webhooks'];
  checkIdList(emergency.webhooks, webhookIds, 'a webhook id from communications.webhooks', webhookPath, ctx);
  // An emergency path that reaches nobody would fail silently at the worst moment.
  if (emergency.severities.length > 0 && emergency.notify.length === 0 && emergency.webhooks.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'at least one person to notify (or a webhook) while emergency.severities is not empty',
      path: [...base, 'emergency', 'notify'],
    });
  }
  for (const [id, entry] of Object.entries(templates)) {
    const required = Object.hasOwn(REQUIRED_TEMPLATES, id) ? REQUIRED_TEMPLATES[id] : undefined;
    if (required !== undefined && entry.audience !== required) {
      const message = `"${required}", the audience Vigil sends template "${id}" to`;
      ctx.addIssue({ code: 'custom', message, path: [...base, 'templates', id, 'audience'] });
    }
  }
}

/** The cross-section rules of a policy whose sections are each valid on their own. */
export function checkPolicyRules(policy: Policy, ctx: z.RefinementCtx): void {
  checkSlaKeys(policy, ctx);
  checkCustomerUpdatesUntil(policy, ctx);
  checkReferences(policy, ctx);
  checkExercises(policy, ctx);
  checkCommunications(policy, ctx);
  checkDetection(policy, ctx);
}
