import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../platform/clock.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrator.ts';
import { createEngine, drainDue, type EngineOptions } from './engine.ts';
import { createEngineLeaseDal } from './engine-lease-dal.ts';
import type { EngineModule } from './engine-types.ts';

const T0 = '2026-04-07T09:00:00Z';

/** Rows 0..n-1 that stay due until acted on; `act` decides per row. */
function dueRows(n: number, act: (row: number) => boolean = () => true) {
  const done = new Set<number>();
  const calls = { listDue: 0 };
  return {
    calls,
    listDue: async (limit: number) => {
      calls.listDue += 1;
      return Array.from({ length: n }, (_, i) => i)
        .filter((r) => !done.has(r))
        .slice(0, limit);
    },
    act: async (row: number) => {
      const ok = act(row);
      if (ok) done.add(row);
      return ok;
    },
    keyOf: (row: number) => `row-${row}`,
  };
}

describe('drainDue', () => {
  const clock = new FakeClock(T0);

  it.each([
    { rows: 250, processed: 250, queries: 3 },
    { rows: 200, processed: 200, queries: 3 },
    { rows: 40, processed: 40, queries: 1 },
    { rows: 0, processed: 0, queries: 1 },
  ])('drains $rows rows in batches of 100 with $queries queries', async ({ rows, processed, queries }) => {
    const source = dueRows(rows);
    expect(await drainDue({ clock, batchSize: 100, budgetMs: 2000, ...source })).toEqual({ processed });
    expect(source.calls.listDue).toBe(queries);
  });

  it('reports a row that throws, leaves it due, and ends the run after that batch', async () => {
    const source = dueRows(250, (row) => {
      if (row === 5) throw new Error('poisoned');
      return true;
    });
    const result = await drainDue({ clock, batchSize: 100, budgetMs: 2000, ...source });
    expect(result.processed).toBe(99);
    expect(result.failures).toEqual([{ key: 'row-5', error: new Error('poisoned') }]);
    expect(source.calls.listDue).toBe(1);
  });

  it('ends the run when a full batch makes no progress (every row taken by someone else)', async () => {
    const source = dueRows(250, () => false);
    expect(await drainDue({ clock, batchSize: 100, budgetMs: 2000, ...source })).toEqual({ processed: 0 });
    expect(source.calls.listDue).toBe(1);
  });

  it('stops starting rows once the time budget is spent', async () => {
    const slow = new FakeClock(T0);
    const source = dueRows(500, () => {
      slow.advance(30);
      return true;
    });
    // 2000 ms / 30 ms per row: the 67th row ends at 2010 ms.
    expect(await drainDue({ clock: slow, batchSize: 100, budgetMs: 2000, ...source })).toEqual({
      processed: 67,
    });
  });
});

describe('engine loop', () => {
  let database: Database;
  let clock: FakeClock;
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

  function engineWith(modules: EngineModule[], overrides: Partial<EngineOptions> = {}) {
    return createEngine({
      db: database,
      clock,
      logger: logger as unknown as EngineOptions['logger'],
      holderId: 'unit',
      modules,
      ...overrides,
    });
  }

  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    expect((await migrateToLatest(database)).error).toBeUndefined();
    clock = new FakeClock(T0);
    vi.clearAllMocks();
  });

  afterEach(async () => {
    vi.useRealTimers();
    await database.close().catch(() => undefined);
  });

  it('refuses a lease that would lapse between cycles', () => {
    expect(() => engineWith([], { leaseMs: 5_000, intervalMs: 5_000 })).toThrow(/leaseMs/);
  });

  it('runs a failing module without starving the next one', async () => {
    const ran: string[] = [];
    const broken: EngineModule = {
      name: 'broken',
      runOnce: async () => {
        throw new Error('boom');
      },
    };
    const fine: EngineModule = {
      name: 'fine',
      runOnce: async () => {
        ran.push('fine');
        return { processed: 2 };
      },
    };
    const report = await engineWith([broken, fine]).runCycle();
    expect(report.modules).toEqual([
      { name: 'broken', processed: 0, failed: 0, error: 'boom' },
      { name: 'fine', processed: 2, failed: 0 },
    ]);
    expect(ran).toEqual(['fine']);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ module: 'broken' }),
      expect.any(String),
    );
  });

  it('starts at once, waits intervalMs after each cycle, survives a failed cycle, and stops cleanly', async () => {
    vi.useFakeTimers();
    const runs: Date[] = [];
    const counter: EngineModule = {
      name: 'count',
      runOnce: async (now) => {
        runs.push(now);
        return { processed: 0 };
      },
    };
    const engine = engineWith([counter], { intervalMs: 5_000 });
    engine.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
    expect(engine.isLeader()).toBe(true);

    await database.close(); // the next cycle cannot reach the database
    await vi.advanceTimersByTimeAsync(5_000);
    expect(logger.error).toHaveBeenCalledWith(expect.anything(), 'engine: cycle failed');
    expect(engine.isLeader()).toBe(false);

    await engine.stop(); // cannot release either: logged, not thrown
    expect(logger.warn).toHaveBeenCalledWith(expect.anything(), 'engine: could not release the lease');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveLength(2);
  });

  it('releases its lease on stop', async () => {
    const engine = engineWith([]);
    await engine.runCycle();
    expect(await createEngineLeaseDal().read(database.kysely, 'engine')).toMatchObject({ holder: 'unit' });
    await engine.stop();
    expect(await createEngineLeaseDal().read(database.kysely, 'engine')).toBeNull();
  });
});
