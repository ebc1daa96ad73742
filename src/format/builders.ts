/** Builders: the typed object of each kind from the values a loader has at hand (§7–§10). */
import { Btype, DIR_SEGMENT_BYTES, FILE_SEGMENT_BYTES } from './constants.js';
import type { IndirectBlock } from './blockmap.js';
import type { DirPiece } from './dirpack.js';
import type { Bmap, Dirent } from './handles.js';
import {
  bucketAttrs, dirSegmentOffset, fileSegmentOffset, rootExtattrs,
  type BucketObject, type DirSegmentObject, type FileSegmentObject, type IndirectObject, type InodeObject,
} from './objects.js';
import { toClfsTime } from './time.js';
import { devMajor, devMinor, type Vattr } from './vattr.js';

/** The fields of node's BigIntStats that a VATTR needs (structural: no fs import here). */
export interface StatLike {
  mode: bigint;
  uid: bigint;
  gid: bigint;
  ino: bigint;
  rdev: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

const NS = 1000000000n;
/** Kernel (sec, nsec) with 0 ≤ nsec < 1e9, as Python sees it, from total nanoseconds. */
function split(ns: bigint): [bigint, bigint] {
  let sec = ns / NS;
  let nsec = ns % NS;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += NS;
  }
  return [sec, nsec];
}

/**
 * A VATTR as the reference writes it (§6.2): times through the double path, used = length,
 * rdev split with glibc major/minor, zero spare/flags/dtime/haVersion. Throws CLFS_LIMIT for
 * times outside u32.
 */
export function vattrFromStat(st: StatLike, p: { btype: number; length: bigint; nlink: number; fsid: bigint; containerId: bigint }): Vattr {
  return {
    mode: Number(st.mode & 0xffffn),
    btype: p.btype,
    uid: Number(st.uid),
    gid: Number(st.gid),
    length: p.length,
    mtime: toClfsTime(...split(st.mtimeNs)),
    ctime: toClfsTime(...split(st.ctimeNs)),
    atime: toClfsTime(...split(st.atimeNs)),
    used: p.length,
    fsid: p.fsid,
    fileid: st.ino,
    rdevMajor: devMajor(st.rdev),
    rdevMinor: devMinor(st.rdev),
    nlink: p.nlink,
    containerId: p.containerId,
    spare: 0,
    flags: 0,
    dtime: { sec: 0, nsec: 0 },
    haVersion: 0,
  };
}

/** Length of a UTF-8 sequence starting at i, or 0 if none is valid there (Python's strict rules). */
function utf8SeqLen(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * Symlink VATTR length (§10.1): characters after Python's surrogateescape decode, i.e. each
 * valid UTF-8 sequence counts 1 and every other byte counts 1. Hand-written because
 * TextDecoder folds an invalid run into one U+FFFD, which counts differently.
 */
export function symlinkLength(target: Uint8Array): bigint {
  let n = 0;
  for (let i = 0; i < target.length; n++) i += utf8SeqLen(target, i) || 1;
  return BigInt(n);
}

/** Regular-file or symlink inode: VATTR, BMAP, BACK, NAME, DATA (inline bytes or link target). */
export function fileInode(p: { vattr: Vattr; bmap: Bmap; parents: Uint8Array[]; name: Uint8Array; data: Uint8Array }): InodeObject {
  return { kind: 'inode', vattr: p.vattr, bmap: p.bmap, back: p.parents, name: p.name, data: p.data };
}

/** Device, FIFO or socket inode: VATTR, BMAP, BACK, NAME. */
export function specialInode(p: { vattr: Vattr; bmap: Bmap; parents: Uint8Array[]; name: Uint8Array }): InodeObject {
  return { kind: 'inode', vattr: p.vattr, bmap: p.bmap, back: p.parents, name: p.name };
}

/** Directory inode: VATTR, BMAP, NAME, DIRENTS (the inline piece). No BACK. */
export function dirInode(p: { vattr: Vattr; bmap: Bmap; name: Uint8Array; entries: Dirent[] }): InodeObject {
  return { kind: 'inode', vattr: p.vattr, bmap: p.bmap, name: p.name, entries: p.entries };
}

/** Root inode: a directory inode plus EXTATTRS (containeridEpoch, massUUID, wipeEpoch). */
export function rootInode(p: { vattr: Vattr; bmap: Bmap; name: Uint8Array; entries: Dirent[]; massUuid: string; wipeEpoch: string }): InodeObject {
  return { ...dirInode(p), extattrs: rootExtattrs(p.massUuid, p.wipeEpoch) };
}

/** File segment k ≥ 1 of `owner`; ctime is the owner's truncated ctime seconds. */
export function fileSegment(data: Uint8Array, k: number, ctime: number, owner: Uint8Array): FileSegmentObject {
  return { kind: 'file-segment', data, databack: { ctime, offset: fileSegmentOffset(k), owner } };
}

/** The directory segment for packer piece j ≥ 1. */
export function dirSegment(piece: DirPiece, ctime: number, owner: Uint8Array): DirSegmentObject {
  return { kind: 'dir-segment', entries: piece.entries, databack: { ctime, offset: dirSegmentOffset(piece.index), owner } };
}

/** The object for an indirect block produced by BlockMapBuilder. */
export function indirectBlock(blk: IndirectBlock, ctime: number, owner: Uint8Array): IndirectObject {
  return { kind: 'indirect', pointers: blk.pointers, databack: { ctime, offset: blk.offset, owner } };
}

/** The bucket object (V1 name 0x63): bucket* pairs, then logfileNNN. */
export function bucketObject(bucketUuid: string, logBlobs: string[] = []): BucketObject {
  return { kind: 'bucket', attrs: bucketAttrs(bucketUuid, logBlobs) };
}

/** BMAP segment size for an object of this btype: 256 KiB for directories, else 8 MiB. */
export function otherSegmentBytes(btype: number): number {
  return btype === Btype.DIR ? DIR_SEGMENT_BYTES : FILE_SEGMENT_BYTES;
}
