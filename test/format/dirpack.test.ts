import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIR_SEGMENT_BYTES, DirectoryPacker, ROOT_ID, directoryLength, encodeDirents, type DirPiece } from '../../src/format/index.js';

const fh = (n: number): Uint8Array => {
  const b = new Uint8Array(24);
  new DataView(b.buffer).setUint32(20, n, true);
  return b;
};

function pack(self: Uint8Array, parent: Uint8Array, names: Uint8Array[]): DirPiece[] {
  const p = new DirectoryPacker(self, parent);
  const pieces: DirPiece[] = [];
  names.forEach((name, i) => {
    const closed = p.add(name, fh(i));
    if (closed) pieces.push(closed);
  });
  pieces.push(p.finish());
  return pieces;
}

test('A.7 6000 entries with 24-byte handles and 23-byte names', () => {
  // 6000 children plus '.' and '..'. A directory under the root: '.' is 24 bytes, '..' the 16-byte ROOT id (31 + 24 = 55 bytes).
  const names = Array.from({ length: 6000 }, (_, i) => new TextEncoder().encode(`entry-${String(i).padStart(17, '0')}`));
  assert.equal(names[0].length, 23);
  const pieces = pack(fh(1), ROOT_ID, names);
  assert.deepEqual(pieces.map((p) => p.bytes), [16326, 262138, 39591]);
  assert.deepEqual(pieces.map((p) => p.entries.length), [309, 4946, 747]);
  assert.deepEqual(pieces.map((p) => p.index), [0, 1, 2]);
  for (const p of pieces) assert.equal(encodeDirents(p.entries).length, p.bytes);
  assert.equal(directoryLength(pieces.map((p) => p.bytes)), 318067n);
  assert.equal(new TextDecoder().decode(pieces[0].entries[0].name), '.');
  assert.equal(new TextDecoder().decode(pieces[0].entries[1].name), '..');
});

test('A.7 root with 14 children: one 588-byte piece, length 592', () => {
  // '.' and '..' hold the 16-byte ROOT id (23 + 24 = 47 bytes); 14 children of 30 + name bytes
  // with names of 13 × 9 + 1 × 4 = 121 bytes → 47 + 420 + 121 = 588.
  const names = Array.from({ length: 14 }, (_, i) => new TextEncoder().encode(i === 13 ? 'docs' : `child-${String(i).padStart(3, '0')}`));
  const pieces = pack(ROOT_ID, ROOT_ID, names);
  assert.deepEqual(pieces.map((p) => p.bytes), [588]);
  assert.equal(directoryLength([588]), 592n);
});

test('an oversized entry opens its own piece', () => {
  const big = new Uint8Array(DIR_SEGMENT_BYTES); // larger than any piece limit
  const pieces = pack(fh(1), fh(2), [new Uint8Array(3), big, new Uint8Array(3)]);
  assert.deepEqual(pieces.map((p) => p.entries.length), [3, 1, 1]);
  assert.equal(pieces[1].bytes, 6 + DIR_SEGMENT_BYTES + 24);
});

test('an empty directory has one inline piece with . and ..', () => {
  const pieces = pack(ROOT_ID, ROOT_ID, []);
  assert.equal(pieces.length, 1);
  assert.equal(pieces[0].bytes, 47);
});
