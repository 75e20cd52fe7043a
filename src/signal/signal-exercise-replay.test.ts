import { describe, expect, it } from 'vitest';
import { releaseSchedule } from './signal-exercise-replay.ts';
import type { NormalizedSignal } from './signal-types.ts';

const at = (iso: string) => ({ occurredAt: new Date(iso) }) as NormalizedSignal;
const START = new Date('2026-04-07T10:00:00Z');

describe('releaseSchedule', () => {
  it('keeps the recorded gaps from the earliest record, whatever the file order', () => {
    const plan = releaseSchedule(
      [at('2024-05-14T02:10:30Z'), at('2024-05-14T02:10:00Z'), at('2024-05-14T02:12:00Z')],
      START,
      1,
    );
    expect(plan.map((p) => [p.position, p.releaseAt.toISOString()])).toEqual([
      [1, '2026-04-07T10:00:00.000Z'],
      [0, '2026-04-07T10:00:30.000Z'],
      [2, '2026-04-07T10:02:00.000Z'],
    ]);
  });

  it('divides the gaps by the speedup and keeps file order among equal instants', () => {
    const plan = releaseSchedule(
      [at('2024-05-14T02:00:00Z'), at('2024-05-14T03:00:00Z'), at('2024-05-14T03:00:00Z')],
      START,
      60,
    );
    expect(plan.map((p) => [p.position, p.releaseAt.toISOString()])).toEqual([
      [0, '2026-04-07T10:00:00.000Z'],
      [1, '2026-04-07T10:01:00.000Z'],
      [2, '2026-04-07T10:01:00.000Z'],
    ]);
  });

  it('plans nothing for an empty file', () => {
    expect(releaseSchedule([], START, 1)).toEqual([]);
  });
});
