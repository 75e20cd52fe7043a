import { describe, expect, it } from 'vitest';
import { actionEvent, nextActionCheck } from './action-reminder-dates.ts';

describe('nextActionCheck', () => {
  it.each([
    // Europe/London in BST: a local day starts at 23:00 UTC the day before.
    ['2026-04-20', '2026-04-07', 'Europe/London', '2026-04-12T23:00:00.000Z'],
    ['2026-04-20', '2026-04-13', 'Europe/London', '2026-04-18T23:00:00.000Z'],
    ['2026-04-20', '2026-04-19', 'Europe/London', '2026-04-20T23:00:00.000Z'],
    ['2026-04-20', '2026-04-20', 'Europe/London', '2026-04-20T23:00:00.000Z'],
    ['2026-04-20', '2026-04-21', 'Europe/London', null],
    // The reminder day is the day the clocks go forward (29 March 2026): midnight still exists in London.
    ['2026-04-05', '2026-03-20', 'Europe/London', '2026-03-29T00:00:00.000Z'],
    // Sao Paulo skipped midnight when DST began (4 Nov 2018): the day starts at 01:00 local.
    ['2018-11-11', '2018-11-01', 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z'],
    ['2026-01-10', '2026-01-01', 'Asia/Kolkata', '2026-01-02T18:30:00.000Z'],
  ])('for a target %s on %s in %s: %s', (dueDate, today, zone, expected) => {
    expect(nextActionCheck(dueDate, today, zone)?.toISOString() ?? null).toBe(expected);
  });

  it('lands on the first instant of the day whose event differs from today’s', () => {
    const zone = 'Europe/London';
    let today = '2026-04-01';
    const events: string[] = [];
    for (
      let next = nextActionCheck('2026-04-20', today, zone);
      next;
      next = nextActionCheck('2026-04-20', today, zone)
    ) {
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(next);
      expect(actionEvent({ dueDate: '2026-04-20' }, day)).not.toEqual(
        actionEvent({ dueDate: '2026-04-20' }, today),
      );
      events.push(day);
      today = day;
    }
    expect(events).toEqual(['2026-04-13', '2026-04-19', '2026-04-21']);
  });
});
