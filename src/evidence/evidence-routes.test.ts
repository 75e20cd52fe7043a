import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentDisposition, reprDigest } from './evidence-routes.ts';

describe('contentDisposition', () => {
  it.each([
    ['access.log', `attachment; filename="access.log"; filename*=UTF-8''access.log`],
    [
      'a "quoted" name.txt',
      `attachment; filename="a _quoted_ name.txt"; filename*=UTF-8''a%20%22quoted%22%20name.txt`,
    ],
    [
      'back\\slash 100%.txt',
      `attachment; filename="back_slash 100_.txt"; filename*=UTF-8''back%5Cslash%20100%25.txt`,
    ],
    ["it's (1)*.png", `attachment; filename="it's (1)*.png"; filename*=UTF-8''it%27s%20%281%29%2A.png`],
    ['日志.txt', `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E5%BF%97.txt`],
  ])('%s', (name, header) => {
    expect(contentDisposition(name)).toBe(header);
  });
});

describe('reprDigest', () => {
  it('is the base64 of the digest bytes, in RFC 9530 form', () => {
    const hash = createHash('sha256').update('abc');
    const hex = hash.copy().digest('hex');
    expect(reprDigest(hex)).toBe(`sha-256=:${hash.digest('base64')}:`);
    expect(reprDigest(hex)).toBe('sha-256=:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=:');
  });
});
