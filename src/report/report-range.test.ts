import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../platform/errors.ts';
import { parseReportRange } from './report-range.ts';

const ZONE = 'Europe/London';
const iso = (r: { from: Date; to: Date }) => [r.from.toISOString(), r.to.toISOString()];

function issues(query: { from?: string; to?: string }) {
  try {
    parseReportRange(query, ZONE);
  } catch (error) {
    if (error instanceof ValidationFailed) return error.issues.map((i) => i.field);
    throw error;
  }
  return [];
}

describe('parseReportRange', () => {
  it.each([
    // Dates are whole local days; to includes its day.
    ['2026-04-01', '2026-04-30', '2026-03-31T23:00:00.000Z', '2026-04-30T23:00:00.000Z'],
    ['2026-01-01', '2026-01-31', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    // Across the spring DST change: 29 March 2026 is 23 hours long.
    ['2026-03-29', '2026-03-29', '2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z'],
    // Instants are taken as they are; to is exclusive.
    [
      '2026-04-07T09:30:00Z',
      '2026-04-07T10:00:00+01:00',
      '2026-04-07T09:30:00.000Z',
      '2026-04-07T09:00:00.000Z',
    ],
  ])('%s .. %s is [%s, %s)', (from, to, a, b) => {
    if (a < b) expect(iso(parseReportRange({ from, to }, ZONE))).toEqual([a, b]);
    else expect(issues({ from, to })).toEqual(['query.to']);
  });

  it('reads a date-time without an offset as local time', () => {
    expect(iso(parseReportRange({ from: '2026-04-07T10:00', to: '2026-04-08' }, ZONE))[0]).toBe(
      '2026-04-07T09:00:00.000Z',
    );
  });

  it.each([
    [{ to: '2026-04-30' }, ['query.from']],
    [{ from: '2026-04-01' }, ['query.to']],
    [{ from: '2026-02-30', to: '2026-04-30' }, ['query.from']],
    [{ from: 'yesterday', to: '2026-04-30' }, ['query.from']],
    [{ from: '2026-04-01', to: '20260430' }, ['query.to']],
    [{ from: '2026-05-01', to: '2026-04-30' }, ['query.to']],
    [{ from: '2020-01-01', to: '2026-04-30' }, ['query.to']],
  ])('refuses %j naming %j', (query, fields) => {
    expect(issues(query)).toEqual(fields);
  });

  it('allows exactly five years', () => {
    expect(issues({ from: '2021-05-01', to: '2026-04-30' })).toEqual([]);
  });
});
