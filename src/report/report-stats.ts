/**
 * The few statistics the reports use, defined once so every report and the
 * documentation agree. Pure.
 */

/**
 * The nearest-rank percentile: sort the values ascending and take the one at
 * rank `ceil(p / 100 × n)` (ranks from 1). It is always one of the observed
 * values, never an interpolation, so a reader can find it in the data.
 * For an even count the median (p = 50) is therefore the lower of the two
 * middle values, not their mean. Null for no values.
 *
 * @param p the percentile, 0 < p ≤ 100.
 * @example percentile([5, 1, 3, 2, 4], 50) // 3
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Count, nearest-rank median and 90th percentile of durations, in seconds. */
export interface DurationStats {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/** Summarises durations given in milliseconds as {@link DurationStats} in seconds. */
export function durationStats(millis: readonly number[]): DurationStats {
  const toSeconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  return {
    count: millis.length,
    medianSeconds: toSeconds(percentile(millis, 50)),
    p90Seconds: toSeconds(percentile(millis, 90)),
  };
}

/** `part / whole` rounded to four decimals, or null when `whole` is 0 (nothing to judge). */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Groups items by a key, keeping their order within each group. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
