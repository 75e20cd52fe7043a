import { describe, expect, it } from 'vitest';
import { dueDeadlineEvents, nextDeadlineCheck } from './breach-deadline-events.ts';
import type { Obligation } from './breach-obligations.ts';

const at = (iso: string) => new Date(iso);

function obligation(change: Partial<Obligation>): Obligation {
  return {
    regime: 'uk-gdpr',
    regimeName: 'UK GDPR',
    authority: 'ICO',
    obligation: 'regulator',
    name: 'Report to the regulator',
    audience: 'regulator',
    startsFrom: 'awareness',
    dueAt: at('2026-04-10T09:00:00Z'),
    metAt: null,
    state: 'pending',
    late: false,
    warnings: [
      { at: at('2026-04-09T09:00:00Z'), left: '24 hours' },
      { at: at('2026-04-09T21:00:00Z'), left: '12 hours' },
      { at: at('2026-04-10T05:00:00Z'), left: '4 hours' },
    ],
    reason: null,
    content: [],
    followsUp: null,
    ...change,
  };
}

describe('breach deadline events', () => {
  it.each([
    ['2026-04-09T08:59:59.999Z', [], '2026-04-09T09:00:00.000Z'],
    ['2026-04-09T09:00:00.000Z', ['24 hours left'], '2026-04-09T21:00:00.000Z'],
    ['2026-04-10T04:00:00.000Z', ['12 hours left'], '2026-04-10T05:00:00.000Z'],
    ['2026-04-10T09:00:00.000Z', ['deadline missed'], null],
    ['2026-05-01T00:00:00.000Z', ['deadline missed'], null],
  ])('at %s: sends %j, looks again at %s', (now, events, next) => {
    const o = [obligation({})];
    expect(dueDeadlineEvents(o, at(now)).map((e) => e.what)).toEqual(events);
    expect(nextDeadlineCheck(o, at(now))?.toISOString() ?? null).toBe(next);
  });

  it('watches only obligations that are ours, started and unmet', () => {
    const now = at('2026-04-10T10:00:00Z');
    const ignored = [
      obligation({ metAt: at('2026-04-09T10:00:00Z'), state: 'met' }),
      obligation({ state: 'not_required' }),
      obligation({ state: 'information' }),
      obligation({ state: 'not_started', dueAt: null, warnings: [] }),
    ];
    expect(dueDeadlineEvents(ignored, now)).toEqual([]);
    expect(nextDeadlineCheck(ignored, at('2026-04-01T00:00:00Z'))).toBeNull();
  });

  it('looks again at the earliest instant of any running obligation', () => {
    const customers = obligation({
      obligation: 'customers',
      audience: 'customers',
      dueAt: at('2026-04-09T12:00:00Z'),
      warnings: [{ at: at('2026-04-08T12:00:00Z'), left: '24 hours' }],
    });
    const both = [obligation({}), customers];
    expect(nextDeadlineCheck(both, at('2026-04-08T13:00:00Z'))?.toISOString()).toBe(
      '2026-04-09T09:00:00.000Z',
    );
    expect(nextDeadlineCheck(both, at('2026-04-09T10:00:00Z'))?.toISOString()).toBe(
      '2026-04-09T12:00:00.000Z',
    );
    const events = dueDeadlineEvents(both, at('2026-04-09T12:00:00Z'));
    expect(events.map((e) => [e.obligation.obligation, e.what, e.missed])).toEqual([
      ['regulator', '24 hours left', false],
      ['customers', 'deadline missed', true],
    ]);
  });
});
