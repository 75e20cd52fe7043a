import { describe, expect, it } from 'vitest';
import { durationStats, percentile, share } from './report-stats.ts';

describe('percentile (nearest rank)', () => {
  it.each([
    // values, p, expected: rank ceil(p/100 × n) of the sorted values
    [[5, 1, 3, 2, 4], 50, 3], // n=5: rank 3
    [[1, 2, 3, 4], 50, 2], // n=4: rank 2, the lower middle, not 2.5
    [[1, 2, 3, 4], 90, 4], // rank ceil(3.6) = 4
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90, 90], // rank 9
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 90, 100], // rank ceil(9.9) = 10
    [[7], 50, 7],
    [[7], 90, 7],
    [[3, 1], 1, 1], // rank ceil(0.02) = 1
    [[3, 1], 100, 3],
  ])('%j at p%d is %d', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is null for no values and does not reorder its input', () => {
    expect(percentile([], 50)).toBeNull();
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('durationStats', () => {
  it('turns milliseconds into count, median and p90 in seconds', () => {
    expect(durationStats([600_000, 5_400_000, 1_200_000])).toEqual({
      count: 3,
      medianSeconds: 1200,
      p90Seconds: 5400,
    });
    expect(durationStats([])).toEqual({ count: 0, medianSeconds: null, p90Seconds: null });
  });
});

describe('share', () => {
  it('rounds to four decimals and is null with nothing to judge', () => {
    expect(share(2, 3)).toBe(0.6667);
    expect(share(1, 2)).toBe(0.5);
    expect(share(0, 4)).toBe(0);
    expect(share(0, 0)).toBeNull();
  });
});
