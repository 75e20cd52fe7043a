import { describe, expect, it } from 'vitest';
import { evidenceSchema, parseByteSize } from './policy-evidence.ts';

describe('evidence policy', () => {
  it('parses binary sizes and refuses anything else', () => {
    expect(parseByteSize('512 MiB')).toBe(512 * 1024 * 1024);
    expect(parseByteSize('1GiB')).toBe(1024 ** 3);
    expect(parseByteSize('10 B')).toBe(10);
    for (const bad of ['512 MB', '0 MiB', '-1 KiB', '1.5 MiB', 'lots']) expect(parseByteSize(bad)).toBeNull();
  });

  it('fills every default when the section is left out', () => {
    const parsed = evidenceSchema.parse(undefined);
    expect(parsed.maxAttachmentSize.bytes).toBe(512 * 1024 * 1024);
    expect(parsed.requests.respondWithin.clock).toBe('business');
    expect(parsed.requests.respondWithin.within.text).toBe('10 days');
    expect(parsed.requests.shareLinksExpireAfter.text).toBe('14 days');
  });

  it('names the field of a bad size', () => {
    const result = evidenceSchema.safeParse({ maxAttachmentSize: '2 MB' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['maxAttachmentSize']);
  });
});
