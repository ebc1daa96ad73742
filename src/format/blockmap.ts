/** Block maps (§8.3, §8.4): direct slots, then four indirect trees, built as a stream. */
import { FormatError } from '../errors.js';
import { DIRECT_SLOTS, FILE_SEGMENT_BYTES, FIRST_SEGMENT_BYTES, INDIRECT_TREES, POINTERS_PER_INDIRECT } from './constants.js';
import type { Bmap } from './handles.js';
import { indirectOffset } from './objects.js';

/** Number of segments after the inode's inline part (§8.1). */
export function segmentCount(size: bigint, firstBytes = BigInt(FIRST_SEGMENT_BYTES), segBytes = BigInt(FILE_SEGMENT_BYTES)): number {
  if (size <= firstBytes) return 0;
  return Number((size - firstBytes + segBytes - 1n) / segBytes);
}

/** Scaled-down constants for tests (A.8); defaults are the real ones. */
export interface BlockMapOptions {
  directSlots?: number;
  pointersPerBlock?: number;
}

/** An indirect block to write: INDIR(pointers) + DATABACK(ctime, offset, owner). */
export interface IndirectBlock {
  id: Uint8Array;
  tree: number;
  depth: number;
  pointers: Uint8Array[];
  /** (tree << 16) + depth, the DATABACK offset. */
  offset: bigint;
}

/**
 * Reproduces the reference's write algorithm exactly, including the empty leaf written by
 * finish() when a tree holds a multiple of the block size (§8.4). Memory: one open block per level.
 */
export class BlockMapBuilder {
  private readonly directSlots: number;
  private readonly per: number;
  private readonly direct: Uint8Array[];
  private readonly roots: (Uint8Array | undefined)[] = new Array(INDIRECT_TREES).fill(undefined);
  private tree = 0;
  private open: Uint8Array[][] = [[]];
  private inTree = 0;
  private finished = false;

  constructor(
    readonly ownId: Uint8Array,
    private readonly newId: () => Uint8Array,
    opts: BlockMapOptions = {},
  ) {
    this.directSlots = opts.directSlots ?? DIRECT_SLOTS;
    this.per = opts.pointersPerBlock ?? POINTERS_PER_INDIRECT;
    this.direct = [ownId];
  }

  private write(depth: number, pointers: Uint8Array[]): IndirectBlock {
    return { id: this.newId(), tree: this.tree, depth, pointers, offset: indirectOffset(this.tree, depth) };
  }

  /** Add the next segment; returns the indirect blocks that fill now, children first. */
  add(segmentId: Uint8Array): IndirectBlock[] {
    if (this.finished) throw new FormatError('CLFS_BAD_VALUE', 'BlockMapBuilder.add after finish');
    if (this.direct.length < this.directSlots) {
      this.direct.push(segmentId);
      return [];
    }
    if (this.tree >= INDIRECT_TREES) throw new FormatError('CLFS_LIMIT', 'file too large for the indirect trees');
    const out: IndirectBlock[] = [];
    this.inTree++;
    let child = segmentId;
    for (let d = this.tree; d >= 0; d--) {
      this.open[d].push(child);
      if (this.open[d].length < this.per) return out;
      const blk = this.write(d, this.open[d]);
      out.push(blk);
      child = blk.id;
      this.open[d] = [];
    }
    // The root of the current tree has just been written full.
    this.roots[this.tree] = child;
    this.tree++;
    this.inTree = 0;
    this.open = Array.from({ length: this.tree + 1 }, () => []);
    // As the reference: the segment that completes the last tree fails the file.
    if (this.tree === INDIRECT_TREES) throw new FormatError('CLFS_LIMIT', 'file too large for the indirect trees');
    return out;
  }

  /** The final partial blocks, deepest first (an empty leaf included, as the reference writes it). */
  finish(): IndirectBlock[] {
    if (this.finished) return [];
    this.finished = true;
    if (this.inTree === 0 || this.tree >= INDIRECT_TREES) return [];
    const out: IndirectBlock[] = [];
    let child: Uint8Array | undefined;
    for (let d = this.tree; d >= 0; d--) {
      if (child) this.open[d].push(child);
      const blk = this.write(d, this.open[d]);
      out.push(blk);
      child = blk.id;
    }
    this.roots[this.tree] = child;
    return out;
  }

  /** The BMAP (after finish()). Unused trees get 16 zero bytes. */
  bmap(otherSegmentBytes: number): Bmap {
    if (!this.finished) throw new FormatError('CLFS_BAD_VALUE', 'BlockMapBuilder.bmap before finish');
    return {
      firstSegmentBytes: FIRST_SEGMENT_BYTES,
      otherSegmentBytes,
      direct: this.direct.slice(),
      indirectRoots: this.roots.map((r) => r ?? NO_TREE),
    };
  }
}

/** An unused tree's root: 16 zero bytes. Shared: encoders only read ids. */
const NO_TREE = new Uint8Array(16);
const NO_TREES: readonly Uint8Array[] = new Array<Uint8Array>(INDIRECT_TREES).fill(NO_TREE);

/**
 * The BMAP of an object whose data all lives in its inode (a small file, a symlink, a special
 * file): the object's own id in the first direct slot, no trees. What BlockMapBuilder gives
 * after finish() with no segment added.
 */
export function inlineBmap(ownId: Uint8Array, otherSegmentBytes: number): Bmap {
  return { firstSegmentBytes: FIRST_SEGMENT_BYTES, otherSegmentBytes, direct: [ownId], indirectRoots: NO_TREES.slice() };
}

export type BlockLocation = { direct: number } | { tree: number; path: number[] };

/** Where block k lives: a direct slot, or a tree and base-P digits from root to leaf (§8.4). */
export function locateBlock(k: number, opts: BlockMapOptions = {}): BlockLocation {
  const D = opts.directSlots ?? DIRECT_SLOTS;
  const P = opts.pointersPerBlock ?? POINTERS_PER_INDIRECT;
  if (!Number.isSafeInteger(k) || k < 0) throw new FormatError('CLFS_BAD_VALUE', `bad block index ${k}`);
  if (k < D) return { direct: k };
  let r = BigInt(k - D);
  const bp = BigInt(P);
  let cap = bp;
  for (let t = 0; t < INDIRECT_TREES; t++, cap *= bp) {
    if (r < cap) {
      const path: number[] = [];
      for (let d = 0; d <= t; d++) path.push(Number((r / bp ** BigInt(t - d)) % bp));
      return { tree: t, path };
    }
    r -= cap;
  }
  throw new FormatError('CLFS_LIMIT', `block ${k} is beyond the indirect trees`);
}
