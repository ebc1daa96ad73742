import { randomBytes } from 'node:crypto';
import type { RandomSource } from '../format/ids.js';

/** The production RandomSource: the OS CSPRNG, buffered to keep per-id cost low. */
export function cryptoRandomSource(): RandomSource {
  let pool = randomBytes(4096);
  let pos = 0;
  const take = (n: number): Uint8Array => {
    if (n > pool.length) return new Uint8Array(randomBytes(n));
    if (pos + n > pool.length) {
      pool = randomBytes(4096);
      pos = 0;
    }
    const out = new Uint8Array(pool.subarray(pos, pos + n));
    pos += n;
    return out;
  };
  return {
    bytes: take,
    u32: () => Buffer.from(take(4)).readUInt32LE(0),
    u64: () => Buffer.from(take(8)).readBigUInt64LE(0),
  };
}
