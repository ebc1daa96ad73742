/** Numeric constants of the CLFS format (spec sections cited). */

/** Btype: object type in blob names and VATTR byte 2 (§4.3). */
export const Btype = {
  INVALID: 0, REG: 1, DIR: 2, BLK: 3, CHR: 4, LNK: 5, SOCK: 6, FIFO: 7,
  SEGMENT: 8, INDIRECT: 9, TOMBSTONE: 10, SPECIAL: 11, HLINK: 12,
} as const;

/** Ftype: object type in filehandle byte 6 (§4.3). */
export const Ftype = { DIR: 1, REG: 2, LNK: 3, BLK: 4, CHR: 5, SOCK: 6, FIFO: 7 } as const;

const F2B: Record<number, number> = { 1: 2, 2: 1, 3: 5, 4: 3, 5: 4, 6: 6, 7: 7 };
const B2F: Record<number, number> = { 2: 1, 1: 2, 5: 3, 3: 4, 4: 5, 6: 6, 7: 7 };

/** Ftype → Btype; undefined for a value that has no counterpart. */
export function ftypeToBtype(f: number): number | undefined {
  return F2B[f];
}

/** Btype → Ftype; undefined for btypes that are not inodes (segment, indirect, ...). */
export function btypeToFtype(b: number): number | undefined {
  return B2F[b];
}

/** Handle types (§6.1). */
export const HandleType = {
  DATA: 2, DIRENTS: 3, VATTR: 4, BMAP: 5, NODEREG: 6, INDIR: 7, COR: 8, BACK: 9, DATABACK: 10,
  SMB: 11, EXTATTRS: 12, TOMBSTONE: 13, SPACEARRAY: 14, VERSION: 15, NAME: 16,
} as const;

/** §8.1 / §12 */
export const FIRST_SEGMENT_BYTES = 16384;
export const FILE_SEGMENT_BYTES = 8388608;
export const DIR_SEGMENT_BYTES = 262144;
/** §9.2: 16384 − 24, room for '..' to grow on reconcile. */
export const DIR_INLINE_LIMIT = 16360;
export const DIRECT_SLOTS = 1024;
export const INDIRECT_TREES = 4;
export const POINTERS_PER_INDIRECT = 4096;
export const INITIAL_VERSION = 9;
export const LINK_MAX = 1023;
export const DIRMGR_COUNT = 48;
export const FIRST_SEQ_BASE = 1000n;
/** §5.1 MAXFRAMESIZE: input chunk and max LZ4 block size. */
export const LZ4_CHUNK = 262144;
/** §6 handle header magic (bytes 05 60 01 03). */
export const HANDLE_MAGIC = 0x03016005;
/** §6 handle header size. */
export const HANDLE_HEADER_BYTES = 20;
/** Snapshot id token in names (§4.1). */
export const SNAPSHOT_TOKEN = 'FFFFFFFF';
