import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoRandomSource } from '../../src/util/random.js';

test('cryptoRandomSource: u32 and u64 in range and distinct across pool refills', () => {
  const r = cryptoRandomSource();
  const seen = new Set<bigint>();
  // 3,000 u64 draws and odd-sized ones between them cross the 4 KiB pool's end several times
  for (let i = 0; i < 3000; i++) {
    const v = r.u64();
    assert.ok(v >= 0n && v < 1n << 64n);
    seen.add(v);
    const w = r.u32();
    assert.ok(Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
    assert.equal(r.bytes(3).length, 3);
  }
  assert.equal(seen.size, 3000, 'no u64 repeated (a repeat means pool bytes were handed out twice)');
});

test('cryptoRandomSource: bytes are copies, also of requests bigger than the pool', () => {
  const r = cryptoRandomSource();
  const a = r.bytes(16);
  const copy = Uint8Array.from(a);
  for (let i = 0; i < 1000; i++) r.u64(); // refills the pool it came from
  assert.deepEqual(a, copy, 'a returned array does not change when the pool is reused');
  const big = r.bytes(10_000);
  assert.equal(big.length, 10_000);
  assert.ok(big.some((b) => b !== 0));
});
