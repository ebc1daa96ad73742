import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUCKET_ID, Ftype, NULL_FILEHANDLE, ROOT_ID, fnv0_32, generateFilehandle, idFromHex, idHex, idsEqual,
  isRootId, newUuid4, parseFilehandle, uuidString, type RandomSource,
} from '../../src/format/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A RandomSource that hands out the given u64 values in order. */
function stub(u64s: bigint[], bytes: Uint8Array[] = []): RandomSource {
  return {
    u32: () => 0,
    u64: () => {
      const v = u64s.shift();
      if (v === undefined) throw new Error('stub exhausted');
      return v;
    },
    bytes: (n) => {
      const b = bytes.shift();
      if (!b || b.length !== n) throw new Error('stub bytes exhausted');
      return b;
    },
  };
}

test('A.2 filehandles', () => {
  const cid = 0x12345678;
  const cases: [number, number, number, bigint, bigint, string][] = [
    [0, 1, Ftype.DIR, 1001n, 0x1122334455667788n, '11cf8a4600010100e9030000000000008877665544332211'],
    [1, 1, Ftype.REG, 1002n, 0x0123456789abcdefn, '11cf8a4601010200ea03000000000000efcdab8967452301'],
    [1, 2, Ftype.DIR, 1003n, 0x8877665544332211n, '11cf8a4601020100eb030000000000001122334455667788'],
  ];
  for (const [src, tgt, ftype, seq, nonce, want] of cases) {
    const fh = generateFilehandle({ containerId: cid, dmidSrc: src, dmidTgt: tgt, ftype, seq }, stub([nonce]));
    assert.equal(hex(fh), want);
    const p = parseFilehandle(fh);
    assert.deepEqual(p, { cidWord: 0x468acf11, dmidSrc: src, dmidTgt: tgt, ftype, seq, nonce });
  }
});

test('generateFilehandle redraws a zero nonce and a zero fnv0 hash', () => {
  const p = { containerId: 0x12345678n, dmidSrc: 0, dmidTgt: 1, ftype: Ftype.DIR, seq: 1001n };
  // Found offline by a brute-force search over the nonce (2^24 expected tries); checked below.
  const found = 0x6a00000001418b4bn;
  const fh = generateFilehandle(p, stub([1n]));
  const zero = fh.slice();
  new DataView(zero.buffer).setBigUint64(16, found, true);
  assert.equal(fnv0_32(zero), 0);
  const got = generateFilehandle(p, stub([0n, found, 7n]));
  assert.equal(parseFilehandle(got).nonce, 7n);
  assert.notEqual(fnv0_32(got), 0);
});

test('well-known ids and helpers', () => {
  assert.equal(idHex(ROOT_ID), '00000000000000000000000000000064');
  assert.equal(idHex(BUCKET_ID), '00000000000000000000000000000063');
  assert.equal(NULL_FILEHANDLE.length, 24);
  assert.ok(isRootId(idFromHex('00000000000000000000000000000064')));
  assert.ok(!isRootId(BUCKET_ID));
  assert.ok(idsEqual(idFromHex('ABcd'), Uint8Array.of(0xab, 0xcd)));
  assert.throws(() => idFromHex('abc'), { code: 'CLFS_BAD_VALUE' });
  assert.throws(() => idFromHex('zz'), { code: 'CLFS_BAD_VALUE' });
  assert.throws(() => parseFilehandle(new Uint8Array(16)), { code: 'CLFS_BAD_VALUE' });
});

test('UUID v4 sets version and variant bits', () => {
  const u = newUuid4(stub([], [new Uint8Array(16).fill(0xff)]));
  assert.equal(uuidString(u), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
  const z = newUuid4(stub([], [new Uint8Array(16)]));
  assert.equal(uuidString(z), '00000000-0000-4000-8000-000000000000');
});
