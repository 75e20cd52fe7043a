import { describe, expect, it } from 'vitest';
import { findNul } from './nul-refusal.ts';

describe('findNul', () => {
  it.each([
    [{ title: 'ok', tags: ['a', 'b\u0000'] }, 'body.tags.1'],
    [{ nested: { 'key\u0000': 1 } }, 'body.nested'],
    ['bare\u0000', 'body'],
    [{ title: 'clean', count: 3, flag: null }, undefined],
    [Buffer.from('bytes\u0000are not text'), undefined],
  ])('finds the NUL in %j at %s', (value, expected) => {
    expect(findNul(value, 'body')).toBe(expected);
  });

  it('walks a body nested far deeper than the call stack allows', () => {
    let deep: unknown = 'bottom\u0000';
    for (let level = 0; level < 200_000; level++) deep = [deep];
    expect(findNul(deep, 'body')).toBe(`body${'.0'.repeat(200_000)}`);
  });
});
