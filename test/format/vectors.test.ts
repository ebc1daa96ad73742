/** Appendix A.5 (encode → exact bytes, decode → values) and A.6 (decode a compressed blob). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BlockMapBuilder, Btype, DIR_SEGMENT_BYTES, FILE_SEGMENT_BYTES, ROOT_ID, bucketAttrs, decodeObject, dirSegmentOffset,
  directoryLength, encodeObject, fileSegmentOffset, indirectOffset, openBlob, rootExtattrs, toClfsTime,
  type Bmap, type ClfsObject, type Dirent, type Vattr,
} from '../../src/format/index.js';
import { A51_FILE_INODE, A52_DIR_INODE, A53_ROOT_INODE, A54_FILE_SEGMENT, A55_DIR_SEGMENT, A56_INDIRECT, A57_BUCKET, A6_LZ4_BLOB, P, F, S, SEG, SEG2 } from './vectors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const t = (sec: bigint, nsec = 0n) => toClfsTime(sec, nsec);

function vattr(p: Partial<Vattr> & Pick<Vattr, 'mode' | 'btype' | 'length' | 'mtime' | 'ctime' | 'atime' | 'fileid' | 'nlink'>): Vattr {
  return {
    uid: 0, gid: 0, used: p.length, fsid: 0x0badf00dn, rdevMajor: 0, rdevMinor: 0, containerId: 0x12345678n,
    spare: 0, flags: 0, dtime: { sec: 0, nsec: 0 }, haVersion: 0, ...p,
  };
}

function bmapOf(own: Uint8Array, other: number): Bmap {
  const b = new BlockMapBuilder(own, () => { throw new Error('no indirect blocks expected'); });
  b.finish();
  return b.bmap(other);
}

const dirent = (name: string | Uint8Array, fh: Uint8Array): Dirent => ({ name: typeof name === 'string' ? enc(name) : name, fh });

const fileInode: ClfsObject = {
  kind: 'inode',
  vattr: vattr({
    mode: 0o100644, btype: Btype.REG, uid: 1000, gid: 1000, length: 13n,
    mtime: t(1600000000n, 250000000n), ctime: t(1600000001n, 500000000n), atime: t(1600000002n, 750000000n),
    fileid: 123456n, nlink: 1,
  }),
  bmap: bmapOf(F, FILE_SEGMENT_BYTES),
  back: [P],
  name: enc('hello.txt'),
  data: enc('hello, world\n'),
};

const dirEntries = [dirent('.', P), dirent('..', ROOT_ID), dirent('hello.txt', F), dirent('sub', S)];
const dirInode: ClfsObject = {
  kind: 'inode',
  vattr: vattr({
    mode: 0o040755, btype: Btype.DIR, length: directoryLength([127]),
    mtime: t(1600000100n), ctime: t(1600000101n), atime: t(1600000102n), fileid: 654321n, nlink: 3,
  }),
  bmap: bmapOf(P, DIR_SEGMENT_BYTES),
  name: enc('docs'),
  entries: dirEntries,
};

const rootInode: ClfsObject = {
  kind: 'inode',
  vattr: vattr({
    mode: 0o040755, btype: Btype.DIR, length: 85n,
    mtime: t(1600000200n), ctime: t(1600000201n), atime: t(1600000202n), fileid: 2n, nlink: 3,
  }),
  bmap: bmapOf(ROOT_ID, DIR_SEGMENT_BYTES),
  name: enc('export'),
  entries: [dirent('.', ROOT_ID), dirent('..', ROOT_ID), dirent('docs', P)],
  extattrs: rootExtattrs('11111111-2222-4333-8444-555555555555', '66666666-7777-4888-9999-aaaaaaaaaaaa'),
};

const cases: [string, ClfsObject, Uint8Array][] = [
  ['A.5.1 file inode', fileInode, A51_FILE_INODE],
  ['A.5.2 directory inode', dirInode, A52_DIR_INODE],
  ['A.5.3 root inode', rootInode, A53_ROOT_INODE],
  ['A.5.4 file segment', { kind: 'file-segment', data: enc('segment payload!'), databack: { ctime: 1600000001, offset: fileSegmentOffset(1), owner: F } }, A54_FILE_SEGMENT],
  ['A.5.5 directory segment', { kind: 'dir-segment', entries: [dirent('x', F)], databack: { ctime: 1600000101, offset: dirSegmentOffset(2), owner: P } }, A55_DIR_SEGMENT],
  ['A.5.6 indirect block', { kind: 'indirect', pointers: [SEG, SEG2], databack: { ctime: 1600000001, offset: indirectOffset(0, 0), owner: F } }, A56_INDIRECT],
  ['A.5.7 bucket object', { kind: 'bucket', attrs: bucketAttrs('01234567-89ab-4cde-8f01-23456789abcd') }, A57_BUCKET],
];

for (const [label, obj, bytes] of cases) {
  test(`${label}: encode gives the exact bytes`, () => {
    assert.equal(Buffer.from(encodeObject(obj)).toString('hex'), Buffer.from(bytes).toString('hex'));
  });
  test(`${label}: decode gives the values`, () => {
    assert.deepEqual(decodeObject(bytes), obj);
  });
}

test('A.5.2 directory length is 4 + 127', () => {
  assert.equal(directoryLength([127]), 131n);
});

test('A.5.6 offset for tree 2 depth 1 is 0x20001', () => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(indirectOffset(2, 1));
  assert.equal(b.toString('hex'), '0100020000000000');
});

test('A.6 compressed blob decodes to A.5.1', () => {
  const { compression, payload } = openBlob(A6_LZ4_BLOB);
  assert.equal(compression, 1);
  assert.deepEqual(Buffer.from(payload), Buffer.from(A51_FILE_INODE));
  assert.deepEqual(decodeObject(payload), fileInode);
});

test('uncompressed envelope of A.5.1', () => {
  const blob = new Uint8Array(4 + A51_FILE_INODE.length);
  blob.set(A51_FILE_INODE, 4);
  const { compression, payload } = openBlob(blob);
  assert.equal(compression, 0);
  assert.deepEqual(Buffer.from(payload), Buffer.from(A51_FILE_INODE));
});
