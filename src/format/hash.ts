/** The two id hashes of §3. Hand-written: both are non-standard (FNV with basis 0, fixed-seed MurmurHash2). */

/** "FNV-1" as CLFS implements it: FNV-1 with offset basis 0 (§3.1). Unsigned 32-bit. */
export function fnv0_32(bytes: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < bytes.length; i++) {
    h = (Math.imul(h, 0x01000193) ^ bytes[i]) >>> 0;
  }
  return h >>> 0;
}

const M = 0x5bd1e995;

/** MurmurHash2 32-bit with seed 0x8C6749AD (§3.2). Unsigned 32-bit. */
export function murmur2_32(bytes: Uint8Array): number {
  const n = bytes.length;
  let h = (0x8c6749ad ^ n) >>> 0;
  let i = 0;
  while (n - i >= 4) {
    let k = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    k = Math.imul(k, M) >>> 0;
    k = (k ^ (k >>> 24)) >>> 0;
    k = Math.imul(k, M) >>> 0;
    h = Math.imul(h, M) >>> 0;
    h = (h ^ k) >>> 0;
    i += 4;
  }
  const r = n - i;
  if (r === 3) h = (h ^ (bytes[i + 2] << 16)) >>> 0;
  if (r >= 2) h = (h ^ (bytes[i + 1] << 8)) >>> 0;
  if (r >= 1) {
    h = (h ^ bytes[i]) >>> 0;
    h = Math.imul(h, M) >>> 0;
  }
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, M) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return h;
}

/** 8 uppercase hex digits of a u32. */
export function hex32(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** hash64 = fnv0 << 32 | murmur2, as 16 uppercase hex digits (§3.3). */
export function hash64Hex(bytes: Uint8Array): string {
  return hex32(fnv0_32(bytes)) + hex32(murmur2_32(bytes));
}
