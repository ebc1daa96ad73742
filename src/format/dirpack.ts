/** Directory packing (§9.2, §9.3): cut the entry list into an inline piece and 256 KiB segments. */
import { DIR_INLINE_LIMIT, DIR_SEGMENT_BYTES } from './constants.js';
import { direntSize, type Dirent } from './handles.js';

/** One piece: index 0 is the inline DIRENTS; j ≥ 1 is a directory segment. `bytes` = encoded size. */
export interface DirPiece {
  index: number;
  entries: Dirent[];
  bytes: number;
}

const DOT = Uint8Array.of(0x2e);
const DOTDOT = Uint8Array.of(0x2e, 0x2e);

/**
 * Streaming packer: an entry never crosses a piece, a fresh piece always takes its first entry,
 * the inline piece stops at 16360 bytes and later pieces at 262144.
 */
export class DirectoryPacker {
  private entries: Dirent[];
  private bytes: number;
  private limit = DIR_INLINE_LIMIT;
  private index = 0;

  constructor(selfFh: Uint8Array, parentFh: Uint8Array) {
    this.entries = [
      { name: DOT, fh: selfFh },
      { name: DOTDOT, fh: parentFh },
    ];
    this.bytes = direntSize(DOT, selfFh) + direntSize(DOTDOT, parentFh);
  }

  /** Add an entry; returns the piece that closed to make room, if any. */
  add(name: Uint8Array, fh: Uint8Array): DirPiece | undefined {
    const s = direntSize(name, fh);
    let closed: DirPiece | undefined;
    if (this.bytes > 0 && this.bytes + s > this.limit) {
      closed = { index: this.index, entries: this.entries, bytes: this.bytes };
      this.index++;
      this.entries = [];
      this.bytes = 0;
      this.limit = DIR_SEGMENT_BYTES;
    }
    this.entries.push({ name, fh });
    this.bytes += s;
    return closed;
  }

  /** The last piece (possibly the inline one with only '.' and '..'). */
  finish(): DirPiece {
    return { index: this.index, entries: this.entries, bytes: this.bytes };
  }
}

/** VATTR length of a directory written in TRANSFER: Σ (4 + piece bytes) (§9.3). */
export function directoryLength(pieceBytes: number[]): bigint {
  return pieceBytes.reduce((n, b) => n + 4n + BigInt(b), 0n);
}
