import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './sqlite-dialect.ts';

describe('withStatementCache', () => {
  it('prepares each SQL text once and returns the same statement', () => {
    const sqlite = new SqliteDatabase(':memory:');
    let prepared = 0;
    const counting = {
      close: () => sqlite.close(),
      prepare: (sql: string) => {
        prepared++;
        return sqlite.prepare(sql);
      },
    };
    const cached = withStatementCache(counting);
    const first = cached.prepare('select 1 as one');
    const second = cached.prepare('select 1 as one');
    expect(second).toBe(first);
    expect(prepared).toBe(1);
    expect(second.all([])).toEqual([{ one: 1 }]);
    cached.close();
  });

  it('drops the least recently used statement beyond 500 texts', () => {
    const sqlite = new SqliteDatabase(':memory:');
    let prepared = 0;
    const cached = withStatementCache({
      close: () => sqlite.close(),
      prepare: (sql) => {
        prepared++;
        return sqlite.prepare(sql);
      },
    });
    for (let i = 0; i <= 500; i++) cached.prepare(`select ${i}`);
    expect(prepared).toBe(501);
    cached.prepare('select 500');
    expect(prepared).toBe(501);
    cached.prepare('select 0');
    expect(prepared).toBe(502);
    cached.close();
  });
});
