import type { z } from 'zod';

/**
 * A plain-JavaScript check that a record certainly passes a zod object schema, for the hot path
 * of the high-volume adapters (SQL audit streams: a thousand records a body). Running the full
 * schema costs several microseconds and a dozen objects a record, as much as parsing the JSON;
 * these checks cost a fraction of it. The schema stays the one definition and the one
 * explanation: a record the checks do not vouch for is parsed by it, issues and all.
 *
 * The checks are derived from the same column table the schema is built from, by the identity of
 * each column's schema, so the two cannot drift apart: a column schema without a known check
 * makes {@link columnChecks} throw when the module loads.
 */

/** True only when the value certainly passes the column's schema unchanged. */
export type ColumnCheck = (value: unknown) => boolean;

/** The columns of a table, each with its check, in table order. */
export type ColumnChecks = readonly (readonly [string, ColumnCheck])[];

/** `string | null | undefined` */
export const isNullishString: ColumnCheck = (value) => value == null || typeof value === 'string';

/** `number | null | undefined`, finite (JSON never gives anything else). */
export const isNullishNumber: ColumnCheck = (value) =>
  value == null || (typeof value === 'number' && Number.isFinite(value));

/** A string (a required text, or a timestamp the caller parses afterwards). */
export const isString: ColumnCheck = (value) => typeof value === 'string';

/**
 * The check of every column of `columns`, looked up in `known` by the identity of its schema.
 *
 * @throws Error naming the column when its schema has no known check (a programming error).
 * @example columnChecks({ name: optionalText }, new Map([[optionalText, isNullishString]]))
 */
export function columnChecks(
  columns: Readonly<Record<string, z.ZodType>>,
  known: ReadonlyMap<z.ZodType, ColumnCheck>,
): ColumnChecks {
  return Object.entries(columns).map(([name, schema]) => {
    const check = known.get(schema);
    if (!check) throw new Error(`no fast check for column ${name}: add its schema to the known checks`);
    return [name, check] as const;
  });
}

/** Whether every column of `record` passes its check. */
export function passesColumns(record: Readonly<Record<string, unknown>>, checks: ColumnChecks): boolean {
  for (const [name, check] of checks) if (!check(record[name])) return false;
  return true;
}
