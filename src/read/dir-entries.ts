/**
 * A directory's entries in order (§9, §13 step 5): the inline DIRENTS of the inode, then the
 * DIRENTS of each directory segment. One piece (≤ 256 KiB) at a time plus a little read-ahead,
 * so memory does not grow with the directory.
 */
import { dirSegmentOffset, direntSize, idsEqual } from '../format/index.js';
import type { Dirent, Databack } from '../format/index.js';
import type { Container, InodeObject } from './container.js';
import { segmentRefs, type BlockWalkOptions, type SegmentRef } from './block-refs.js';
import { readAhead } from './read-ahead.js';
import { ReadError } from './read-error.js';

export interface DirPiece {
  /** 0 = inline in the inode; j ≥ 1 = directory segment j */
  index: number;
  /** segment blob name (pieces ≥ 1) */
  blob?: string;
  entries: Dirent[];
  /** encoded bytes of the entries (§9.3) */
  bytes: number;
  databack?: Databack;
}

export function piecesBytes(entries: readonly Dirent[]): number {
  let n = 0;
  for (const e of entries) n += direntSize(e.name, e.fh);
  return n;
}

/** Every piece of the directory, raw (verify checks them itself). */
export async function* directoryPieces(c: Container, dirId: Uint8Array, inode: InodeObject, options: BlockWalkOptions & { readAhead?: number } = {}): AsyncGenerator<DirPiece> {
  const inline = inode.entries ?? [];
  yield { index: 0, entries: inline, bytes: piecesBytes(inline) };
  const fetch = async (ref: SegmentRef): Promise<DirPiece> => {
    const obj = await c.readObject(ref.name);
    if (obj.kind !== 'dir-segment') throw new ReadError('CLFS_READ_BAD_STRUCTURE', `expected a directory segment, found a ${obj.kind} object`, { blob: ref.name });
    return { index: ref.k, blob: ref.name, entries: obj.entries, bytes: piecesBytes(obj.entries), databack: obj.databack };
  };
  yield* readAhead(segmentRefs(c, dirId, inode.bmap, options), fetch, options.readAhead ?? 2);
}

const DOT = new Uint8Array([0x2e]);
const DOTDOT = new Uint8Array([0x2e, 0x2e]);

/**
 * The directory's children (without `.` and `..`), checking each segment's DATABACK.
 * Throws ReadError when the directory's structure is inconsistent.
 */
export async function* directoryEntries(c: Container, dirId: Uint8Array, inode: InodeObject, path?: string): AsyncGenerator<Dirent> {
  for await (const piece of directoryPieces(c, dirId, inode)) {
    let entries = piece.entries;
    if (piece.index === 0) {
      if (entries.length < 2 || !idsEqual(entries[0].name, DOT) || !idsEqual(entries[1].name, DOTDOT)) {
        throw new ReadError('CLFS_READ_BAD_STRUCTURE', 'directory does not start with "." and ".."', { path });
      }
      entries = entries.slice(2);
    } else if (!piece.databack || !idsEqual(piece.databack.owner, dirId) || piece.databack.offset !== dirSegmentOffset(piece.index)) {
      throw new ReadError('CLFS_READ_BAD_STRUCTURE', `directory segment ${piece.index} has a wrong DATABACK owner or offset`, { blob: piece.blob, path });
    }
    yield* entries;
  }
}
