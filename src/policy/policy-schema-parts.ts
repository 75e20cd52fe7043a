/**
 * Building blocks shared by the sections of the policy schema (policy-types.ts,
 * policy-communications.ts). They live apart from policy-types.ts so that a section kept in its
 * own file can use them without an import cycle.
 *
 * Schema messages are written as the "expected" half of a validation issue (see policy-issues.ts).
 */
import { z } from 'zod';
import {
  DURATION_EXPECTED,
  type Duration,
  isZeroDuration,
  parseDuration,
  usedUnits,
} from './policy-duration.ts';
import { uniqueIds } from './policy-rules.ts';

export const ID_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** A list of objects whose `id`s must differ. */
export function uniqueList<Item extends z.ZodType<{ id: string }>>(item: Item) {
  return z.array(item).superRefine((items, ctx) => uniqueIds(items, [], ctx));
}

const ID_EXPECTED = 'an id such as "critical" (lower case letters, digits, "-" or "_")';
export const idSchema = z.string({ error: ID_EXPECTED }).regex(ID_PATTERN, { error: ID_EXPECTED });
export const textSchema = z.string({ error: 'some text' }).trim().min(1, { error: 'some text' });
export const emailSchema = z.email({ error: 'an email address such as "cpo@example.com"' });

/** A duration string, parsed; zero is refused because no clock or retention can be instant. */
export const durationSchema = z.string({ error: DURATION_EXPECTED }).transform((text, ctx): Duration => {
  const result = parseDuration(text);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.expected });
    return z.NEVER;
  }
  if (isZeroDuration(result.duration)) {
    ctx.addIssue({ code: 'custom', message: 'a duration longer than zero' });
    return z.NEVER;
  }
  return result.duration;
});

/** How a clock measures time: plain elapsed time, or only time inside business hours. */
export const clockKindSchema = z.enum(['wall', 'business']);
export type ClockKind = z.infer<typeof clockKindSchema>;

const BUSINESS_UNITS = new Set(['days', 'hours', 'minutes']);
const WALL_UNITS = new Set(['weeks', 'days', 'hours', 'minutes']);

/** Adds an issue at `path` when `d` uses a unit that the clock `clock` cannot measure. */
export function checkClockUnits(
  d: Duration,
  clock: ClockKind,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const allowed = clock === 'business' ? BUSINESS_UNITS : WALL_UNITS;
  if (usedUnits(d).every((unit) => allowed.has(unit))) return;
  const message =
    clock === 'business'
      ? 'a business-clock duration in minutes, hours or days (days are business days)'
      : 'a wall-clock duration in minutes, hours, days or weeks (months and years vary in length)';
  ctx.addIssue({ code: 'custom', message, path });
}

/** A duration of elapsed time: months and years are refused because their length varies. */
export const wallDurationSchema = durationSchema.superRefine((d, ctx) => checkClockUnits(d, 'wall', [], ctx));

export const personSchema = z.strictObject({
  title: textSchema,
  email: emailSchema,
  name: textSchema.optional(),
});
export type PolicyPerson = z.infer<typeof personSchema>;

/**
 * A path segment that is neither `.`, `..` nor hidden, in plain ASCII so that paths sort the same
 * everywhere. policy-bundle.ts relies on `(` and `)` never matching it.
 */
const POLICY_PATH_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * True for a path to a file of the policy folder that Vigil accepts: relative, `/`-separated,
 * inside the folder (no `.` or `..` segment) and ending in `extension`. Written this way a path
 * has one spelling, so the policy version (which hashes each file under its path) cannot change
 * with the spelling.
 */
export function isPolicyFolderPath(path: string, extension: string): boolean {
  return path.endsWith(extension) && path.split('/').every((segment) => POLICY_PATH_SEGMENT.test(segment));
}

/** True for a runbook path Vigil accepts: see {@link isPolicyFolderPath}, ending in `.md`. */
export function isRunbookPath(path: string): boolean {
  return isPolicyFolderPath(path, '.md');
}

/** True for a template path Vigil accepts: see {@link isPolicyFolderPath}, ending in `.txt`. */
export function isTemplatePath(path: string): boolean {
  return isPolicyFolderPath(path, '.txt');
}

/** A duration on a named clock: `{ within: 4 hours, clock: business }`. */
export const clockSpecSchema = z
  .strictObject({ within: durationSchema, clock: clockKindSchema })
  .superRefine((spec, ctx) => checkClockUnits(spec.within, spec.clock, ['within'], ctx));
export type ClockSpec = z.infer<typeof clockSpecSchema>;
