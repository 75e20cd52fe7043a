import { describe, expect, it } from 'vitest';
import { SIGNAL_SOURCES } from '../signal-types.ts';
import { findSignalAdapter, isSignalSource, signalAdapters } from './adapter-registry.ts';

describe('adapter registry', () => {
  it('has one adapter per source, under its own name', () => {
    for (const source of SIGNAL_SOURCES) expect(signalAdapters[source].source).toBe(source);
    expect(Object.keys(signalAdapters).sort()).toEqual([...SIGNAL_SOURCES].sort());
  });

  it('finds adapters by path name and nothing for unknown names', () => {
    expect(findSignalAdapter('sql-audit')?.source).toBe('sql-audit');
    expect(findSignalAdapter('splunk')).toBeUndefined();
    expect(findSignalAdapter('__proto__')).toBeUndefined();
    expect(isSignalSource('toString')).toBe(false);
  });
});
