import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BlockMapBuilder, Btype, DirectoryPacker, ROOT_ID, bucketObject, devMajor, devMinor, dirInode, dirSegment, encodeObject,
  fileInode, fileSegment, indirectBlock, otherSegmentBytes, rootInode, specialInode, symlinkLength, vattrFromStat,
} from '../../src/format/index.js';
import { A51_FILE_INODE, A52_DIR_INODE, A53_ROOT_INODE, A54_FILE_SEGMENT, A55_DIR_SEGMENT, A56_INDIRECT, A57_BUCKET, P, F, S, SEG, SEG2 } from './vectors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const load = { fsid: 0x0badf00dn, containerId: 0x12345678n };
const ns = (sec: bigint, nsec = 0n): bigint => sec * 1000000000n + nsec;

function bmap(own: Uint8Array, btype: number) {
  const b = new BlockMapBuilder(own, () => new Uint8Array(16));
  b.finish();
  return b.bmap(otherSegmentBytes(btype));
}

test('builders reproduce A.5.1 (file inode) from stat values', () => {
  const st = { mode: 0o100644n, uid: 1000n, gid: 1000n, ino: 123456n, rdev: 0n, mtimeNs: ns(1600000000n, 250000000n), ctimeNs: ns(1600000001n, 500000000n), atimeNs: ns(1600000002n, 750000000n) };
  const obj = fileInode({ vattr: vattrFromStat(st, { btype: Btype.REG, length: 13n, nlink: 1, ...load }), bmap: bmap(F, Btype.REG), parents: [P], name: enc('hello.txt'), data: enc('hello, world\n') });
  assert.equal(hex(encodeObject(obj)), hex(A51_FILE_INODE));
});

test('builders reproduce A.5.2, A.5.3 (directory and root inodes) via the packer', () => {
  const st = { mode: 0o040755n, uid: 0n, gid: 0n, ino: 654321n, rdev: 0n, mtimeNs: ns(1600000100n), ctimeNs: ns(1600000101n), atimeNs: ns(1600000102n) };
  const packer = new DirectoryPacker(P, ROOT_ID);
  assert.equal(packer.add(enc('hello.txt'), F), undefined);
  assert.equal(packer.add(enc('sub'), S), undefined);
  const piece = packer.finish();
  const dir = dirInode({ vattr: vattrFromStat(st, { btype: Btype.DIR, length: 131n, nlink: 3, ...load }), bmap: bmap(P, Btype.DIR), name: enc('docs'), entries: piece.entries });
  assert.equal(hex(encodeObject(dir)), hex(A52_DIR_INODE));

  const rst = { ...st, ino: 2n, mtimeNs: ns(1600000200n), ctimeNs: ns(1600000201n), atimeNs: ns(1600000202n) };
  const rp = new DirectoryPacker(ROOT_ID, ROOT_ID);
  rp.add(enc('docs'), P);
  const root = rootInode({
    vattr: vattrFromStat(rst, { btype: Btype.DIR, length: 85n, nlink: 3, ...load }), bmap: bmap(ROOT_ID, Btype.DIR), name: enc('export'),
    entries: rp.finish().entries, massUuid: '11111111-2222-4333-8444-555555555555', wipeEpoch: '66666666-7777-4888-9999-aaaaaaaaaaaa',
  });
  assert.equal(hex(encodeObject(root)), hex(A53_ROOT_INODE));
});

test('builders reproduce A.5.4–A.5.7', () => {
  assert.equal(hex(encodeObject(fileSegment(enc('segment payload!'), 1, 1600000001, F))), hex(A54_FILE_SEGMENT));
  assert.equal(hex(encodeObject(dirSegment({ index: 2, entries: [{ name: enc('x'), fh: F }], bytes: 31 }, 1600000101, P))), hex(A55_DIR_SEGMENT));
  assert.equal(hex(encodeObject(indirectBlock({ id: SEG, tree: 0, depth: 0, pointers: [SEG, SEG2], offset: 0n }, 1600000001, F))), hex(A56_INDIRECT));
  assert.equal(hex(encodeObject(bucketObject('01234567-89ab-4cde-8f01-23456789abcd'))), hex(A57_BUCKET));
  const withLogs = bucketObject('u', ['output.txt', 'problems.txt']);
  assert.deepEqual(withLogs.attrs.slice(4), [['logfile001', 'output.txt'], ['logfile002', 'problems.txt']]);
});

test('special inode and rdev encoding', () => {
  const rdev = (1n << 8n) | 3n; // makedev(1, 3)
  assert.equal(devMajor(rdev), 1);
  assert.equal(devMinor(rdev), 3);
  // glibc makedev(maj, min) with both numbers wider than the legacy 12/8-bit fields.
  const makedev = (maj: bigint, min: bigint) => (min & 0xffn) | ((maj & 0xfffn) << 8n) | ((min & ~0xffn) << 12n) | ((maj & ~0xfffn) << 32n);
  assert.equal(devMajor(makedev(0x12345n, 0x6789an)), 0x12345);
  assert.equal(devMinor(makedev(0x12345n, 0x6789an)), 0x6789a);
  assert.equal(devMajor(makedev(7n, 0n)), 7);
  const st = { mode: 0o020644n, uid: 0n, gid: 0n, ino: 9n, rdev, mtimeNs: 0n, ctimeNs: 0n, atimeNs: 0n };
  const obj = specialInode({ vattr: vattrFromStat(st, { btype: Btype.CHR, length: 0n, nlink: 1, ...load }), bmap: bmap(F, Btype.CHR), parents: [P], name: enc('null') });
  assert.equal(obj.vattr.rdevMajor, 1);
  assert.equal(obj.vattr.rdevMinor, 3);
  assert.equal(obj.bmap.otherSegmentBytes, 8388608);
  assert.equal(obj.data, undefined);
});

test('vattrFromStat rejects times before 1970', () => {
  const st = { mode: 0o100644n, uid: 0n, gid: 0n, ino: 1n, rdev: 0n, mtimeNs: -5n, ctimeNs: 0n, atimeNs: 0n };
  assert.throws(() => vattrFromStat(st, { btype: Btype.REG, length: 0n, nlink: 1, ...load }), { code: 'CLFS_LIMIT' });
});

test('symlinkLength counts characters with surrogateescape (§10.1)', () => {
  assert.equal(symlinkLength(enc('tést/ü')), 6n);
  assert.equal(enc('tést/ü').length, 8);
  assert.equal(symlinkLength(enc('plain/ascii')), 11n);
  assert.equal(symlinkLength(Uint8Array.of(0xff, 0x41)), 2n);
  assert.equal(symlinkLength(Uint8Array.of(0xe2, 0x82, 0x41)), 3n, 'truncated sequence: each byte counts');
  assert.equal(symlinkLength(Uint8Array.of(0xed, 0xa0, 0x80)), 3n, 'encoded surrogate is invalid in Python');
  assert.equal(symlinkLength(Uint8Array.of(0xc0, 0x80)), 2n, 'overlong');
  assert.equal(symlinkLength(Uint8Array.of(0xf0, 0x9f, 0x98, 0x80)), 1n);
  assert.equal(symlinkLength(Uint8Array.of(0xf4, 0x90, 0x80, 0x80)), 4n, 'above U+10FFFF');
  assert.equal(symlinkLength(Uint8Array.of(0xe0, 0x80, 0x80)), 3n, 'overlong 3-byte');
  assert.equal(symlinkLength(new Uint8Array(0)), 0n);
});
