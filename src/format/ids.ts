/** Ids: well-known ids (§1.1), generated 24-byte filehandles (§2), UUID4 block ids. */
import { FormatError } from '../errors.js';
import { fnv0_32 } from './hash.js';

/** Injected randomness: the codec never draws its own. */
export interface RandomSource {
  u32(): number;
  u64(): bigint;
  bytes(n: number): Uint8Array;
}

function wellKnown(last: number): Uint8Array {
  const id = new Uint8Array(16);
  id[15] = last;
  return id;
}

export const INPROGRESS_ID = wellKnown(0x62);
export const BUCKET_ID = wellKnown(0x63);
export const ROOT_ID = wellKnown(0x64);
export const SPACETRACKER_ID = wellKnown(0x65);
export const ORPHAN_PARENT_ID = wellKnown(0x66);
export const SNAPSHOTDB_ID = wellKnown(0x67);
/** "No parent": 24 zero bytes (§1.1). */
export const NULL_FILEHANDLE = new Uint8Array(24);

const U64_MASK = (1n << 64n) - 1n;

export interface FilehandleParams {
  containerId: bigint | number;
  dmidSrc: number;
  dmidTgt: number;
  ftype: number;
  seq: bigint;
}

/** The §2.2 cid_word: 27 bits of containerid above the fixed low bits 10001b. */
export function cidWord(containerId: bigint | number): number {
  const c = Number(BigInt(containerId) & 0x07ffffffn);
  return (((c << 5) & 0xffffffe0) | 0x11) >>> 0;
}

function checkByte(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new FormatError('CLFS_BAD_VALUE', `${what} ${v} is not a byte`);
}

/**
 * A new 24-byte filehandle (§2.2). The nonce is drawn from `random` in [1, 2^64−1] and
 * redrawn while it is 0 or while the handle's fnv0 hash is 0 (§2.5).
 */
export function generateFilehandle(p: FilehandleParams, random: RandomSource): Uint8Array {
  const fh = new Uint8Array(24);
  const dv = new DataView(fh.buffer);
  dv.setUint32(0, cidWord(p.containerId), true);
  checkByte('dmidSrc', p.dmidSrc);
  checkByte('dmidTgt', p.dmidTgt);
  checkByte('ftype', p.ftype);
  fh[4] = p.dmidSrc;
  fh[5] = p.dmidTgt;
  fh[6] = p.ftype;
  fh[7] = 0;
  if (p.seq < 0n || p.seq >= 1n << 64n) throw new FormatError('CLFS_BAD_VALUE', `seq ${p.seq} is not a u64`);
  dv.setBigUint64(8, p.seq, true);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const nonce = random.u64() & U64_MASK;
    if (nonce === 0n) continue;
    dv.setBigUint64(16, nonce, true);
    if (fnv0_32(fh) !== 0) return fh;
  }
  throw new FormatError('CLFS_BAD_VALUE', 'random source keeps yielding unusable nonces');
}

export interface ParsedFilehandle {
  cidWord: number;
  dmidSrc: number;
  dmidTgt: number;
  ftype: number;
  seq: bigint;
  nonce: bigint;
}

/** Split a 24-byte filehandle into its §2.2 fields. */
export function parseFilehandle(fh: Uint8Array): ParsedFilehandle {
  if (fh.length !== 24) throw new FormatError('CLFS_BAD_VALUE', `filehandle must be 24 bytes, got ${fh.length}`);
  const dv = new DataView(fh.buffer, fh.byteOffset, fh.byteLength);
  return {
    cidWord: dv.getUint32(0, true),
    dmidSrc: fh[4],
    dmidTgt: fh[5],
    ftype: fh[6],
    seq: dv.getBigUint64(8, true),
    nonce: dv.getBigUint64(16, true),
  };
}

/** A random 16-byte RFC 4122 version 4 UUID (segment and indirect block ids). */
export function newUuid4(random: RandomSource): Uint8Array {
  const b = new Uint8Array(random.bytes(16).subarray(0, 16));
  if (b.length !== 16) throw new FormatError('CLFS_BAD_VALUE', 'random source returned too few bytes');
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return b;
}

/** Lowercase dashed form of 16 bytes (8-4-4-4-12). */
export function uuidString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new FormatError('CLFS_BAD_VALUE', `uuid must be 16 bytes, got ${bytes.length}`);
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Uppercase hex of an id, as in blob names. */
export function idHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex').toUpperCase();
}

/** Parse hex (either case) into bytes; throws CLFS_BAD_VALUE on odd length or non-hex. */
export function idFromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new FormatError('CLFS_BAD_VALUE', `not a hex id: ${JSON.stringify(hex.slice(0, 64))}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Byte equality of two ids. */
export function idsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True for the 16-byte ROOT id (0x64). */
export function isRootId(id: Uint8Array): boolean {
  return idsEqual(id, ROOT_ID);
}
