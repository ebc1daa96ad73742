import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandleType, decodeHandles, decodeObject, encodeHandles } from '../../src/format/index.js';
import { A51_FILE_INODE, A56_INDIRECT } from './vectors.js';

const mutate = (src: Uint8Array, f: (dv: DataView, b: Uint8Array) => void): Uint8Array => {
  const b = src.slice();
  f(new DataView(b.buffer), b);
  return b;
};

test('handle header validation gives specific codes', () => {
  assert.throws(() => decodeHandles(mutate(A51_FILE_INODE, (dv) => dv.setUint32(0x80, 0x03016006, true))), { code: 'CLFS_BAD_MAGIC' });
  assert.throws(() => decodeHandles(A51_FILE_INODE.subarray(0, 10)), { code: 'CLFS_TRUNCATED' });
  assert.throws(() => decodeHandles(A51_FILE_INODE.subarray(0, A51_FILE_INODE.length - 1)), { code: 'CLFS_TRUNCATED' });
  assert.throws(() => decodeHandles(mutate(A51_FILE_INODE, (dv) => dv.setUint32(4, 136, true))), { code: 'CLFS_BAD_HANDLE' }, 'blobCount ≠ rounded size');
  assert.throws(() => decodeHandles(mutate(A51_FILE_INODE, (dv) => dv.setUint32(8, 0xfffffff0, true))), { code: 'CLFS_BAD_HANDLE' }, 'realCount beyond payload');
  assert.throws(() => decodeHandles(mutate(A51_FILE_INODE, (dv) => dv.setUint32(16, 1, true))), { code: 'CLFS_BAD_HANDLE' }, 'reserved word');
  assert.throws(() => decodeHandles(mutate(A51_FILE_INODE, (_, b) => (b[0x18d] = 1))), { code: 'CLFS_BAD_HANDLE' }, 'padding of DATA');
});

test('data layouts check counts and lengths against the bytes left', () => {
  // INDIR count (offset 0x14) claims more pointers than fit.
  assert.throws(() => decodeHandles(mutate(A56_INDIRECT, (dv) => dv.setUint32(0x14, 1000000, true))), { code: 'CLFS_TRUNCATED' });
  // INDIR count one short: the handle's data is not consumed exactly.
  assert.throws(() => decodeHandles(mutate(A56_INDIRECT, (dv) => dv.setUint32(0x14, 1, true))), { code: 'CLFS_BAD_HANDLE' });
  // VATTR size prefix (offset 0x14) must be 104.
  assert.throws(() => decodeHandles(mutate(A51_FILE_INODE, (dv) => dv.setUint32(0x14, 105, true))), { code: 'CLFS_BAD_HANDLE' });
  // DATA length word (offset 0x17c) larger than the handle.
  assert.throws(() => decodeHandles(mutate(A51_FILE_INODE, (dv) => dv.setUint32(0x17c, 14, true))), { code: 'CLFS_TRUNCATED' });
});

test('unknown and unparsed handle types are kept byte for byte', () => {
  const raw = [{ type: HandleType.NODEREG, raw: Uint8Array.of(1, 2, 3) }, { type: 99, raw: new Uint8Array(0) }, { type: HandleType.VERSION, raw: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9, 9) }];
  const payload = encodeHandles(raw);
  const back = decodeHandles(payload);
  assert.deepEqual(back, raw);
  assert.deepEqual(encodeHandles(back), payload);
  assert.throws(() => decodeObject(payload), { code: 'CLFS_BAD_OBJECT' });
});

test('object classification errors', () => {
  const data = { type: HandleType.DATA, data: Uint8Array.of(1) };
  assert.throws(() => decodeObject(encodeHandles([data])), { code: 'CLFS_BAD_OBJECT' });
  assert.throws(() => decodeObject(encodeHandles([data, data])), { code: 'CLFS_BAD_OBJECT' });
  assert.throws(() => decodeObject(new Uint8Array(0)), { code: 'CLFS_BAD_OBJECT' });
  const err = (() => {
    try {
      decodeObject(encodeHandles([data]), 'some-blob');
    } catch (e) {
      return e as Error & { blob?: string };
    }
  })();
  assert.equal(err?.blob, 'some-blob');
  assert.match(err!.message, /some-blob/);
});
