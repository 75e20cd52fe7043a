import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSignalDigest, digestSignalRows, signalDigestLine } from './signal-digest.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the telemetry purge digest', () => {
  it('writes one line per signal, the dedup key prefixed with its length in UTF-8 bytes', () => {
    expect(
      signalDigestLine({ seq: '12', received_at: '2026-03-02T10:00:00.000Z', dedup_key: 'generic:a b' }),
    ).toBe('12 2026-03-02T10:00:00.000Z 11:generic:a b\n');
    // Two bytes for é: a key with spaces, colons or line feeds still reads back unambiguously.
    expect(signalDigestLine({ seq: 3, received_at: '2026-03-02T10:00:00.000Z', dedup_key: 'é\n1:x' })).toBe(
      '3 2026-03-02T10:00:00.000Z 6:é\n1:x\n',
    );
  });

  it('hashes the lines in order, whether fed line by line or in runs', () => {
    const rows = [
      { seq: 1, received_at: '2026-03-02T10:00:00.000Z', dedup_key: 'k1' },
      { seq: 2, received_at: '2026-03-02T10:00:01.000Z', dedup_key: 'k2' },
    ];
    const whole = digestSignalRows(rows);
    expect(whole).toEqual({
      count: 2,
      sha256: sha256('1 2026-03-02T10:00:00.000Z 2:k1\n2 2026-03-02T10:00:01.000Z 2:k2\n'),
    });
    const inRuns = createSignalDigest();
    inRuns.add(rows.map(signalDigestLine).join(''), 2);
    expect(inRuns.result()).toEqual(whole);
    expect(digestSignalRows([...rows].reverse()).sha256).not.toBe(whole.sha256);
  });
});
