import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockUuid, indirectIdSource } from '../../src/load/block-ids.js';
import { indirectCount } from '../../src/load/stale-blocks.js';

const fh = Uint8Array.from({ length: 24 }, (_, i) => i);

test('block ids are deterministic UUID v4 values, distinct per owner, kind and index', () => {
  const a = blockUuid(7, fh, 'file-segment', 1);
  assert.deepEqual(a, blockUuid(7, fh, 'file-segment', 1));
  assert.equal(a.length, 16);
  assert.equal(a[6] >> 4, 4, 'version 4');
  assert.equal(a[8] >> 6, 2, 'RFC 4122 variant');
  const others = [blockUuid(8, fh, 'file-segment', 1), blockUuid(7, fh, 'dir-segment', 1), blockUuid(7, fh, 'file-segment', 2), blockUuid(7, fh.map((x) => x ^ 1), 'file-segment', 1)];
  for (const o of others) assert.notDeepEqual(o, a);
});

test('indirect ids are numbered in creation order', () => {
  const s = indirectIdSource(7, fh);
  const first = s.next();
  s.next();
  assert.equal(s.count(), 2);
  assert.deepEqual(first, blockUuid(7, fh, 'indirect', 0));
});

test('indirect block counts follow the reference tree shapes (A.8)', () => {
  assert.equal(indirectCount(1023), 0);
  assert.equal(indirectCount(1024), 1);
  assert.equal(indirectCount(5119), 1);
  assert.equal(indirectCount(5120), 3);
  assert.equal(indirectCount(9215), 4, 'the empty leaf counts too');
});
