import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync } from 'node:fs';
import { STAT_BYTES, STAT_WORDS, packStat, unpackStat } from '../../src/source/stat-wire.js';
import { toSourceStat, type SourceStat } from '../../src/source/stat.js';

const extremes: SourceStat = {
  mode: 0o170777,
  uid: 0xffff_fffe,
  gid: 0xffff_ffff,
  size: (1n << 62n) + 3n,
  ino: (1n << 64n) - 1n, // unsigned 64-bit fields use the whole range (btrfs, overlay, NFS)
  dev: 0x8000_0000_0000_0001n,
  nlink: 0xffff_ffff,
  rdev: (1n << 63n) + 5n,
  atimeSec: -1n, // before 1970: toSourceStat gives negative seconds and nanoseconds
  atimeNsec: -999_999_999n,
  mtimeSec: (1n << 40n) + 7n,
  mtimeNsec: 999_999_999n,
  ctimeSec: 0n,
  ctimeNsec: 1n,
};

test('a stat packs into 14 words and back unchanged, extremes included, at any slot of a batch', () => {
  assert.equal(STAT_BYTES, STAT_WORDS * 8);
  const words = new BigInt64Array(3 * STAT_WORDS);
  const real = toSourceStat(lstatSync('.', { bigint: true }));
  packStat(real, words, 0);
  packStat(extremes, words, STAT_WORDS);
  packStat(real, words, 2 * STAT_WORDS);
  assert.deepEqual(unpackStat(words, 0), real);
  assert.deepEqual(unpackStat(words, STAT_WORDS), extremes);
  assert.deepEqual(unpackStat(words, 2 * STAT_WORDS), real);
});
