/** Timestamp conversion through Python's double (§6.3). */
import { FormatError } from '../errors.js';

/** A CLFS time: u32 seconds and u32 nanoseconds. */
export interface ClfsTime {
  sec: number;
  nsec: number;
}

/**
 * Convert kernel (sec, nsec) the way the reference does: d = sec + nsec·1e-9 as a double,
 * then secs = trunc(d), nsecs = trunc((d − secs)·1e9). Throws CLFS_LIMIT outside u32 seconds.
 */
export function toClfsTime(sec: bigint, nsec: bigint): ClfsTime {
  const d = Number(sec) + Number(nsec) * 1e-9;
  const secs = Math.trunc(d) + 0; // + 0 turns -0 into 0
  const nsecs = Math.trunc((d - secs) * 1e9) + 0;
  // The reference packs both as u32, so anything negative or too large fails the object.
  if (!(secs >= 0 && secs <= 0xffffffff && nsecs >= 0 && nsecs <= 0xffffffff)) {
    throw new FormatError('CLFS_LIMIT', `time ${sec}.${nsec} does not fit u32 seconds`);
  }
  return { sec: secs, nsec: nsecs };
}
