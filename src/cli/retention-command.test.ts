import { describe, expect, it } from 'vitest';
import { previewLines, runLines } from './retention-command.ts';

const held = {
  reference: 'INC-3',
  closedAt: '2026-01-05T10:00:00.000Z',
  dueAt: '2028-01-05T10:00:00.000Z',
  hold: { placedBy: 'user:admin@localhost', reason: 'litigation' },
};

describe('vigil retention', () => {
  it('preview says what would go, from when, and what a hold keeps', () => {
    expect(
      previewLines({
        telemetry: {
          keep: '30 days',
          cutoff: '2026-03-01T12:00:00.000Z',
          due: 2,
          oldestDueReceivedAt: '2026-02-01T08:00:00.000Z',
        },
        evidence: {
          keep: '24 months',
          due: [
            {
              reference: 'INC-1',
              closedAt: '2026-01-01T09:00:00.000Z',
              dueAt: '2028-01-01T09:00:00.000Z',
              hold: null,
            },
          ],
          held: [held],
        },
      }),
    ).toEqual([
      'telemetry (kept 30 days after receipt): 2 signals received before 2026-03-01T12:00:00.000Z would go, the oldest received 2026-02-01T08:00:00.000Z',
      'incident evidence (kept 24 months after closing): 1 incident(s) due',
      '  INC-1  closed 2026-01-01T09:00:00.000Z, due 2028-01-01T09:00:00.000Z',
      'held back by a legal hold: 1',
      '  INC-3  held by user:admin@localhost (due 2028-01-05T10:00:00.000Z): litigation',
    ]);
  });

  it('a dry run says it changed nothing and counts the rows each incident would lose', () => {
    const lines = runLines({
      dryRun: true,
      telemetry: { cutoff: '2026-03-01T12:00:00.000Z', deleted: 0, batches: [] },
      incidents: [
        {
          reference: 'INC-1',
          closedAt: '2026-01-01T09:00:00.000Z',
          removed: { timeline_entries: { count: 7 }, reviews: { count: 1 } },
        },
      ],
      held: [],
      failures: [],
    });
    expect(lines[0]).toBe('dry run: nothing was changed');
    expect(lines).toContain('  INC-1  closed 2026-01-01T09:00:00.000Z: 8 rows');
    expect(lines).toContain('telemetry: would remove 0 signals received before 2026-03-01T12:00:00.000Z');
  });
});
