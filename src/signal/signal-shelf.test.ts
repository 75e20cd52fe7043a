import { describe, expect, it } from 'vitest';
import {
  dayOfPartition,
  dayPurgeCutoff,
  isDayShelf,
  partitionOfDay,
  receiptSpanOfDay,
  shelfOfReceipt,
  shelvesAhead,
} from './signal-shelf.ts';

describe('signal shelves', () => {
  it.each([
    ['2026-03-02T00:00:00.000Z', '2026-03-02'],
    ['2026-03-02T23:59:59.999Z', '2026-03-02'],
    // UTC, whatever the policy's zone: 00:30 in London summer time is still the previous UTC day.
    ['2026-06-30T23:30:00.000Z', '2026-06-30'],
  ])('shelves a receipt at %s on %s', (at, day) => {
    expect(shelfOfReceipt(new Date(at))).toBe(day);
  });

  it('names partitions from checked days only, and reads them back', () => {
    expect(partitionOfDay('2026-03-02')).toBe('signals_d20260302');
    expect(dayOfPartition('signals_d20260302')).toBe('2026-03-02');
    expect(dayOfPartition('signals_kept')).toBeNull();
    expect(dayOfPartition('signals_default')).toBeNull();
    expect(isDayShelf('kept')).toBe(false);
    expect(() => partitionOfDay("2026-03-02'; drop table signals; --")).toThrow(/not a day shelf/);
  });

  it('makes partitions ahead across a month end', () => {
    expect(shelvesAhead(new Date('2026-02-27T22:00:00Z'), 3)).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ]);
  });

  it.each([
    ['2026-03-03T12:00:01.000Z', '2026-03-03T00:00:00.000Z'],
    ['2026-03-03T00:00:00.000Z', '2026-03-03T00:00:00.000Z'],
    ['2026-03-02T23:59:59.999Z', '2026-03-02T00:00:00.000Z'],
  ])('purges whole days: cutoff %s lets go of receipts before %s', (cutoff, before) => {
    expect(dayPurgeCutoff(new Date(cutoff)).toISOString()).toBe(before);
  });

  it('spans a day from its midnight to the next', () => {
    const { start, end } = receiptSpanOfDay('2026-03-29');
    expect([start.toISOString(), end.toISOString()]).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
  });
});
