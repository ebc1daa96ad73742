import { randomBytes } from 'node:crypto';
import type { RandomSource } from '../format/ids.js';

/** The production RandomSource: the OS CSPRNG, buffered to keep per-id cost low. */
export function cryptoRandomSource(): RandomSource {
  let pool = randomBytes(4096);
  let pos = 0;
  /** Where the next n bytes of the pool start (refilled when they would run past its end). */
  const reserve = (n: number): number => {
    if (pos + n > pool.length) {
      pool = randomBytes(4096);
      pos = 0;
    }
    pos += n;
    return pos - n;
  };
  return {
    bytes: (n) => {
      if (n > pool.length) return new Uint8Array(randomBytes(n));
      const at = reserve(n);
      return new Uint8Array(pool.subarray(at, at + n));
    },
    // read in place: one id per scanned entry draws these, and copies were most of their cost
    // (reserve first: it may replace `pool`, which `pool.read…(reserve(…))` would have read already)
    u32: () => {
      const at = reserve(4);
      return pool.readUInt32LE(at);
    },
    u64: () => {
      const at = reserve(8);
      return pool.readBigUInt64LE(at);
    },
  };
}
