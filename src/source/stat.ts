/** What the loader keeps of a source entry's lstat, and its CLFS type. */
import { lstat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { Ftype } from '../format/constants.js';

/** The lstat fields a CLFS VATTR needs (§6.2), all exact (bigint where the kernel is 64-bit). */
export interface SourceStat {
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  ino: bigint;
  dev: bigint;
  nlink: number;
  rdev: bigint;
  atimeSec: bigint;
  atimeNsec: bigint;
  mtimeSec: bigint;
  mtimeNsec: bigint;
  ctimeSec: bigint;
  ctimeNsec: bigint;
}

const NS = 1_000_000_000n;

/** Copies the fields we keep out of a bigint Stats. */
export function toSourceStat(s: BigIntStats): SourceStat {
  return {
    mode: Number(s.mode),
    uid: Number(s.uid),
    gid: Number(s.gid),
    size: s.size,
    ino: s.ino,
    dev: s.dev,
    nlink: Number(s.nlink),
    rdev: s.rdev,
    atimeSec: s.atimeNs / NS,
    atimeNsec: s.atimeNs % NS,
    mtimeSec: s.mtimeNs / NS,
    mtimeNsec: s.mtimeNs % NS,
    ctimeSec: s.ctimeNs / NS,
    ctimeNsec: s.ctimeNs % NS,
  };
}

/** lstat with nanosecond times (§6.3 needs the kernel's sec/nsec, never mtimeMs). */
export async function lstatSource(path: Buffer): Promise<SourceStat> {
  return toSourceStat(await lstat(path, { bigint: true }));
}

const S_IFMT = 0o170000;
const FTYPE_BY_IFMT: Record<number, number> = {
  0o040000: Ftype.DIR,
  0o100000: Ftype.REG,
  0o120000: Ftype.LNK,
  0o060000: Ftype.BLK,
  0o020000: Ftype.CHR,
  0o140000: Ftype.SOCK,
  0o010000: Ftype.FIFO,
};

/** The Ftype (§4.3) of a mode, or undefined for a type CLFS cannot hold. */
export function ftypeOfMode(mode: number): number | undefined {
  return FTYPE_BY_IFMT[mode & S_IFMT];
}
