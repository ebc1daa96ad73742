/** The VATTR structure (§6.2): 108 bytes of handle data (u32 104 + 104-byte struct). */
import { FormatError } from '../errors.js';
import type { ClfsTime } from './time.js';
import { ByteReader, ByteWriter } from './wire.js';

export type { ClfsTime } from './time.js';

/** Object attributes as stored in VATTR. u64 fields are bigint. */
export interface Vattr {
  mode: number;
  btype: number;
  uid: number;
  gid: number;
  length: bigint;
  mtime: ClfsTime;
  ctime: ClfsTime;
  atime: ClfsTime;
  used: bigint;
  fsid: bigint;
  fileid: bigint;
  rdevMajor: number;
  rdevMinor: number;
  nlink: number;
  containerId: bigint;
  /** Always 0 when CLFSLoad writes (§14.3 item 15). */
  spare?: number;
  flags?: number;
  dtime?: ClfsTime;
  haVersion?: number;
}

/** Size of the VATTR struct that follows its u32 prefix. */
export const VATTR_STRUCT_BYTES = 104;

function time(w: ByteWriter, t: ClfsTime | undefined): void {
  w.u32(t?.sec ?? 0);
  w.u32(t?.nsec ?? 0);
}

/** Encode the 108-byte VATTR handle data. */
export function encodeVattr(v: Vattr): Uint8Array {
  const w = new ByteWriter(108);
  w.u32(VATTR_STRUCT_BYTES);
  w.u16(v.mode);
  w.u8(v.btype);
  w.u8(v.spare ?? 0);
  w.u32(v.flags ?? 0);
  w.u32(v.uid);
  w.u32(v.gid);
  w.u64(v.length);
  time(w, v.dtime);
  time(w, v.mtime);
  time(w, v.ctime);
  time(w, v.atime);
  w.u64(v.used);
  w.u64(v.fsid);
  w.u64(v.fileid);
  w.u32(v.rdevMajor);
  w.u32(v.rdevMinor);
  w.u32(v.nlink);
  w.u32(v.haVersion ?? 0);
  w.u64(v.containerId);
  return w.finish();
}

/** Decode VATTR handle data; exactly 108 bytes with the 104 prefix. */
export function decodeVattr(bytes: Uint8Array, blob?: string): Vattr {
  const r = new ByteReader(bytes, blob, 'VATTR');
  const n = r.u32();
  if (n !== VATTR_STRUCT_BYTES) throw new FormatError('CLFS_BAD_HANDLE', `VATTR: size prefix ${n}, expected 104`, { blob });
  r.need(VATTR_STRUCT_BYTES);
  const mode = r.u16();
  const btype = r.u8();
  const spare = r.u8();
  const flags = r.u32();
  const uid = r.u32();
  const gid = r.u32();
  const length = r.u64();
  const dtime = { sec: r.u32(), nsec: r.u32() };
  const mtime = { sec: r.u32(), nsec: r.u32() };
  const ctime = { sec: r.u32(), nsec: r.u32() };
  const atime = { sec: r.u32(), nsec: r.u32() };
  const used = r.u64();
  const fsid = r.u64();
  const fileid = r.u64();
  const rdevMajor = r.u32();
  const rdevMinor = r.u32();
  const nlink = r.u32();
  const haVersion = r.u32();
  const containerId = r.u64();
  r.end();
  return { mode, btype, uid, gid, length, mtime, ctime, atime, used, fsid, fileid, rdevMajor, rdevMinor, nlink, containerId, spare, flags, dtime, haVersion };
}

/** glibc major(): ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFF). */
export function devMajor(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n));
}

/** glibc minor(): (dev & 0xFF) | ((dev >> 12) & ~0xFF). */
export function devMinor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n));
}
