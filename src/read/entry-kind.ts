/** Object types as the reader reports them, and the rules for safe entry names. */
import { Btype } from '../format/index.js';

export type EntryType = 'dir' | 'file' | 'symlink' | 'fifo' | 'chr' | 'blk' | 'sock' | 'unknown';

/** The type of an inode from its VATTR btype (§4.3). */
export function typeOfBtype(btype: number): EntryType {
  switch (btype) {
    case Btype.DIR: return 'dir';
    case Btype.REG: return 'file';
    case Btype.LNK: return 'symlink';
    case Btype.FIFO: return 'fifo';
    case Btype.CHR: return 'chr';
    case Btype.BLK: return 'blk';
    case Btype.SOCK: return 'sock';
    default: return 'unknown';
  }
}

/** st_mode type bits of each type. */
export const MODE_TYPE_BITS: Record<EntryType, number> = {
  dir: 0o040000, file: 0o100000, symlink: 0o120000, fifo: 0o010000, chr: 0o020000, blk: 0o060000, sock: 0o140000, unknown: 0,
};

/** `ls -l` style mode string, e.g. `drwxr-xr-x`, `-rwsr-xr-x`, `drwxrwxrwt`. */
export function modeString(type: EntryType, mode: number): string {
  const t = { dir: 'd', file: '-', symlink: 'l', fifo: 'p', chr: 'c', blk: 'b', sock: 's', unknown: '?' }[type];
  const bit = (m: number, c: string): string => (mode & m ? c : '-');
  const special = (x: number, s: number, lower: string, upper: string): string => (mode & s ? (mode & x ? lower : upper) : bit(x, 'x'));
  return t
    + bit(0o400, 'r') + bit(0o200, 'w') + special(0o100, 0o4000, 's', 'S')
    + bit(0o040, 'r') + bit(0o020, 'w') + special(0o010, 0o2000, 's', 'S')
    + bit(0o004, 'r') + bit(0o002, 'w') + special(0o001, 0o1000, 't', 'T');
}

/**
 * Why a directory entry name is unsafe to use as a path component (empty, `.`, `..`, contains
 * `/` or NUL), or undefined when it is fine. `.`/`..` are only legal as the first two entries.
 */
export function unsafeNameReason(name: Uint8Array): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.length === 1 && name[0] === 0x2e) return 'name is "."';
  if (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) return 'name is ".."';
  if (name.includes(0x2f)) return 'name contains "/"';
  if (name.includes(0)) return 'name contains NUL';
  return undefined;
}

/** Printable form of a raw name (invalid UTF-8 shown with U+FFFD). */
export function displayName(name: Uint8Array): string {
  return Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('utf8');
}

/** Joins a display path. */
export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}
