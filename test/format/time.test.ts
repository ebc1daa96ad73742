import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toClfsTime } from '../../src/format/index.js';

test('A.4 timestamp conversion through a double', () => {
  const cases: [bigint, bigint, number, number][] = [
    [1614834367n, 123456789n, 1614834367, 123456716],
    [1600000000n, 250000000n, 1600000000, 250000000],
    [1600000000n, 999999999n, 1600000001, 0],
    [1700000000n, 1n, 1700000000, 0],
    [0n, 0n, 0, 0],
  ];
  for (const [s, ns, es, ens] of cases) assert.deepEqual(toClfsTime(s, ns), { sec: es, nsec: ens }, `${s}.${ns}`);
});

test('times outside u32 seconds are CLFS_LIMIT', () => {
  assert.throws(() => toClfsTime(-1n, 0n), { code: 'CLFS_LIMIT' });
  assert.throws(() => toClfsTime(2n ** 32n, 0n), { code: 'CLFS_LIMIT' });
  // d ≈ -1e-9 truncates to (0, 0) in Python too (int() rounds toward zero).
  assert.deepEqual(toClfsTime(-1n, 999999999n), { sec: 0, nsec: 0 });
  assert.throws(() => toClfsTime(-1n, 500000000n), { code: 'CLFS_LIMIT' });
  assert.deepEqual(toClfsTime(2n ** 32n - 1n, 0n), { sec: 0xffffffff, nsec: 0 });
});
