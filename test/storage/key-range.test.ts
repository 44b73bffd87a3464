import { describe, expect, it } from 'vitest';
import { prefixEndBytes, prefixEndString } from '../../src/storage/key-range.js';

describe('prefixEndString', () => {
  it.each([
    ['/registry/pods/', '/registry/pods0'],
    ['a', 'b'],
    ['', undefined],
    ['a\u{10FFFF}', 'b'],
    ['\u{10FFFF}\u{10FFFF}', undefined],
    ['x\uD7FF', 'x\uE000'], // skips the surrogate block, which UTF-8 cannot encode
    ['x\uFFFF', 'x\u{10000}'],
    ['é', 'ê'],
  ])('%j ends before %j', (prefix, end) => {
    expect(prefixEndString(prefix)).toBe(end);
  });

  it('bounds exactly the strings with the prefix, in UTF-8 byte order', () => {
    const prefix = 'a/\uFFFF';
    const end = Buffer.from(prefixEndString(prefix)!, 'utf8');
    const inside = ['a/\uFFFF', 'a/\uFFFFz', 'a/\uFFFF\u{10FFFF}'];
    const outside = ['a/\u{10000}', 'a0', 'a/\uFFFE\u{10FFFF}'];
    for (const s of inside) expect(Buffer.compare(Buffer.from(s, 'utf8'), end)).toBe(-1);
    for (const s of outside) {
      const bytes = Buffer.from(s, 'utf8');
      const below = Buffer.compare(bytes, Buffer.from(prefix, 'utf8')) < 0;
      expect(below || Buffer.compare(bytes, end) >= 0).toBe(true);
    }
  });
});

describe('prefixEndBytes', () => {
  it.each([
    ['/registry/pods/', Buffer.from('/registry/pods0')],
    ['', Buffer.from([0])],
    ['a\u{10FFFF}', Buffer.from([0x61, 0xf4, 0x8f, 0xbf, 0xc0])],
  ])('%j ends at %j', (prefix, end) => {
    expect(prefixEndBytes(prefix)).toEqual(end);
  });
});
