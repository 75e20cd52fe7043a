import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureIo } from './fixtures/capture-io.ts';
import { runRulesTest } from './signal-command.ts';

const vector = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/signals/vectors/${name}`, import.meta.url));

describe('vigil rules test', () => {
  it('replays the SQL audit sample offline: the attacker’s firings join one incident, the DBA’s open another', async () => {
    const { io, captured } = captureIo();
    await runRulesTest({ signals: vector('sql-audit-failed-logins.jsonl'), source: 'sql-audit' }, io);
    expect(captured.exitCode).toBe(0);
    expect(captured.err).toEqual([]);
    const lines = captured.out;
    expect(lines[0]).toBe(`35 signals read from ${vector('sql-audit-failed-logins.jsonl')}`);
    const opens = lines.filter((l) => l.startsWith('opens '));
    expect(opens[0]).toMatch(/^opens #1: \S+Z {2}brute-force-login {2}high {2}.*sqladmin.*\(10 signals\)$/);
    expect(lines.filter((l) => l.startsWith('  joins #1:')).length).toBeGreaterThanOrEqual(2);
    expect(opens.some((l) => l.includes('dba.jane'))).toBe(true);
    expect(lines.some((l) => l.includes('orders_app'))).toBe(false);
    expect(lines.at(-1)).toBe(`${opens.length} incidents would open from ${lines.length - 2} firings`);
  });

  it('names the record and field of a malformed file and exits 1', async () => {
    const { io, captured } = captureIo();
    await runRulesTest({ signals: vector('generic-event.json'), source: 'sql-audit' }, io);
    expect(captured.exitCode).toBe(1);
    expect(captured.err.length).toBeGreaterThan(0);
    expect(captured.err[0]).toMatch(/^records\[0\]\./);
  });

  it('refuses an unknown source with exit 2', async () => {
    const { io, captured } = captureIo();
    await runRulesTest({ signals: vector('generic-event.json'), source: 'carrier-pigeon' }, io);
    expect(captured.exitCode).toBe(2);
    expect(captured.err[0]).toContain('unknown source carrier-pigeon');
  });
});
