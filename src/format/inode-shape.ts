/** The handles each inode kind must carry (§7, §9, §10): an inode cut between two handles is refused. */
import { FormatError } from '../errors.js';
import { Btype, HandleType } from './constants.js';
import { isRootId } from './ids.js';

const T = HandleType;

/**
 * Required handles beyond VATTR, BMAP and NAME, by VATTR btype (§7 table). The reference
 * fixtures agree: every file (even empty, DATA n = 0) and symlink has BACK and DATA, every
 * special BACK, every directory DIRENTS. Btypes that are no inode type are left to the
 * caller (verify reports them as a type mismatch), so they require nothing more here.
 */
const REQUIRED: Record<number, number[]> = {
  [Btype.REG]: [T.BACK, T.DATA],
  [Btype.LNK]: [T.BACK, T.DATA],
  [Btype.BLK]: [T.BACK],
  [Btype.CHR]: [T.BACK],
  [Btype.FIFO]: [T.BACK],
  [Btype.SOCK]: [T.BACK],
  [Btype.DIR]: [T.DIRENTS],
};

const NAMES: Record<number, string> = { [T.BACK]: 'BACK', [T.DATA]: 'DATA', [T.DIRENTS]: 'DIRENTS', [T.EXTATTRS]: 'EXTATTRS' };

/**
 * Throws CLFS_BAD_OBJECT when an inode of this btype lacks a handle its kind requires. The root
 * (BMAP direct[0] is the 16-byte ROOT id, §8.3/§9.2) also needs EXTATTRS (§7). Order is not
 * checked: §7 asks readers to parse by type.
 */
export function checkInodeHandles(btype: number, direct0: Uint8Array | undefined, present: (t: number) => boolean, blob?: string): void {
  const need = [...(REQUIRED[btype] ?? [])];
  const root = btype === Btype.DIR && direct0 !== undefined && isRootId(direct0);
  if (root) need.push(T.EXTATTRS);
  const missing = need.filter((t) => !present(t));
  if (missing.length === 0) return;
  const what = root ? 'root directory' : `btype ${btype}`;
  throw new FormatError('CLFS_BAD_OBJECT', `${what} inode lacks its ${missing.map((t) => NAMES[t]).join(', ')} handle (§7)`, { blob });
}
