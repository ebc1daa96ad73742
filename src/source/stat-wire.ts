/**
 * SourceStats packed into 64-bit words to cross between threads. A SourceStat sent as an object
 * costs the structured clone 14 named properties, key strings included, on each side; packed, a
 * whole batch of them is one typed array (or rides in a read's own buffer).
 */
import type { SourceStat } from './stat.js';

/** Words per packed stat, and its bytes. */
export const STAT_WORDS = 14;
export const STAT_BYTES = STAT_WORDS * 8;

/** Writes `s` at word `at` of `out`. The unsigned fields (ino, dev, rdev) wrap into the signed words. */
export function packStat(s: SourceStat, out: BigInt64Array, at = 0): void {
  out[at] = BigInt(s.mode);
  out[at + 1] = BigInt(s.uid);
  out[at + 2] = BigInt(s.gid);
  out[at + 3] = s.size;
  out[at + 4] = s.ino;
  out[at + 5] = s.dev;
  out[at + 6] = BigInt(s.nlink);
  out[at + 7] = s.rdev;
  out[at + 8] = s.atimeSec;
  out[at + 9] = s.atimeNsec;
  out[at + 10] = s.mtimeSec;
  out[at + 11] = s.mtimeNsec;
  out[at + 12] = s.ctimeSec;
  out[at + 13] = s.ctimeNsec;
}

/** The stat packed at word `at` of `words`. */
export function unpackStat(words: BigInt64Array, at = 0): SourceStat {
  return {
    mode: Number(words[at]),
    uid: Number(words[at + 1]),
    gid: Number(words[at + 2]),
    size: words[at + 3],
    ino: BigInt.asUintN(64, words[at + 4]),
    dev: BigInt.asUintN(64, words[at + 5]),
    nlink: Number(words[at + 6]),
    rdev: BigInt.asUintN(64, words[at + 7]),
    atimeSec: words[at + 8],
    atimeNsec: words[at + 9],
    mtimeSec: words[at + 10],
    mtimeNsec: words[at + 11],
    ctimeSec: words[at + 12],
    ctimeNsec: words[at + 13],
  };
}
