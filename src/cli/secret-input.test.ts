import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readStandardInput, secretFromInput } from './secret-input.ts';

describe('secretFromInput', () => {
  it.each([
    ['orchard lantern ferry\n', 'orchard lantern ferry'],
    ['orchard lantern ferry\r\n', 'orchard lantern ferry'],
    ['orchard lantern ferry', 'orchard lantern ferry'],
    ['  spaces are kept  \nsecond line ignored\n', '  spaces are kept  '],
  ])('reads %j', (input, expected) => {
    expect(secretFromInput(input)).toBe(expected);
  });

  it.each(['', '\n', '\r\n'])('refuses empty input %j', (input) => {
    expect(() => secretFromInput(input)).toThrow('no password on standard input');
  });
});

it('reads a stream to its end', async () => {
  expect(await readStandardInput(Readable.from([Buffer.from('pass'), 'word\n']))).toBe('password\n');
});
