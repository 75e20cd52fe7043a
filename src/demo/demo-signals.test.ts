import { describe, expect, it } from 'vitest';
import { moveToPresent, readDemoFiles } from './demo-signals.ts';

describe('moveToPresent', () => {
  const file = (body: string) => ({
    name: '1-generic.json',
    source: 'generic',
    contentType: 'application/json',
    body,
  });

  it('moves every instant by one offset, keeping gaps, fraction widths and placeholders', () => {
    const [moved] = moveToPresent(
      [
        file(
          '{"a":"2026-03-03T01:40:05.1234567Z","b":"2026-03-03T01:41:05Z","c":"2026-03-03T01:42:05.250Z","end":"0001-01-01T00:00:00Z"}',
        ),
      ],
      new Date('2026-11-27T10:00:00Z'),
      60_000,
    );
    expect(JSON.parse(moved!.body)).toEqual({
      a: '2026-11-27T09:56:59.1230000Z',
      b: '2026-11-27T09:57:59Z',
      c: '2026-11-27T09:58:59.250Z',
      end: '0001-01-01T00:00:00Z',
    });
  });

  it('reads the shipped demo files in order, each named after its source', () => {
    const files = readDemoFiles();
    expect(files.map((f) => [f.name, f.source])).toEqual([
      ['1-sql-audit.jsonl', 'sql-audit'],
      ['2-defender.json', 'defender'],
      ['3-alertmanager.json', 'alertmanager'],
    ]);
    expect(files[0]!.contentType).toBe('application/x-ndjson');
  });
});
