import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareUtf8, firstIndexAfter, lowerBound } from '../../src/store/utf8-order.js';

const bytewise = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sign = (n: number): number => Math.sign(n);

describe('compareUtf8', () => {
  it('orders astral characters after U+E000..U+FFFF, as UTF-8 bytes do (UTF-16 order does not)', () => {
    const astral = '\u{1F600}';
    const high = '\uFF21';
    assert.ok(astral < high, 'UTF-16 order puts the surrogate first');
    assert.ok(compareUtf8(astral, high) > 0);
    assert.ok(compareUtf8('a', 'b') < 0 && compareUtf8('ab', 'a') > 0 && compareUtf8('x', 'x') === 0);
  });

  it('agrees with Buffer.compare on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => sign(compareUtf8(a, b)) === sign(bytewise(a, b))), { numRuns: 2000 });
  });

  it('binary searches agree with a linear scan', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 4 })), fc.string({ unit: 'grapheme-ascii', maxLength: 4 }), (arr, key) => {
      const names = [...new Set(arr)].sort(compareUtf8);
      assert.equal(firstIndexAfter(names, key), names.filter((n) => compareUtf8(n, key) <= 0).length);
      assert.equal(lowerBound(names, key), names.filter((n) => compareUtf8(n, key) < 0).length);
      assert.equal(firstIndexAfter(names, undefined), 0);
    }), { numRuns: 500 });
  });
});
