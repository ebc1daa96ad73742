/**
 * The segments of a file or directory in block order (§8.3, §8.4, §13 step 5): BMAP direct
 * slots 1.., then indirect trees 0..3 depth-first. Indirect blocks are read lazily, so memory
 * is bounded by tree depth × 4096 pointers whatever the object's size.
 */
import { Btype, INDIRECT_TREES, INITIAL_VERSION, POINTERS_PER_INDIRECT, v2Name } from '../format/index.js';
import type { Bmap, IndirectObject } from '../format/index.js';
import type { Container } from './container.js';
import { ReadError } from './read-error.js';

/** Block k ≥ 1 of an object: its id and exact blob name. */
export interface SegmentRef {
  k: number;
  id: Uint8Array;
  name: string;
}

/** One indirect block met on the way, for callers that check them (verify). */
export interface IndirectVisit {
  name: string;
  tree: number;
  depth: number;
  block: IndirectObject;
}

export interface BlockWalkOptions {
  /** stop after this many segments (files: nseg from the length); default: every pointer */
  limit?: number;
  /** called with each indirect block's name before it is read */
  beforeIndirect?: (name: string) => void;
  onIndirect?: (visit: IndirectVisit) => void;
}

/** True for a 16-zero-byte "unused tree" marker. */
export function isNullId(id: Uint8Array): boolean {
  return id.every((b) => b === 0);
}

/** Segment blob name of a block owned by `owner` (§8.2: btype 8, version 9). */
export function segmentName(id: Uint8Array, owner: Uint8Array): string {
  return v2Name({ id, btype: Btype.SEGMENT, owner, version: INITIAL_VERSION });
}

/** Indirect block blob name (§8.4: btype 9, version 9). */
export function indirectName(id: Uint8Array, owner: Uint8Array): string {
  return v2Name({ id, btype: Btype.INDIRECT, owner, version: INITIAL_VERSION });
}

/** Yields the object's segments in order; throws ReadError/FormatError on a broken indirect block. */
export async function* segmentRefs(c: Container, owner: Uint8Array, bmap: Bmap, options: BlockWalkOptions = {}): AsyncGenerator<SegmentRef> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let k = 0;
  for (let i = 1; i < bmap.direct.length && k < limit; i++) {
    k++;
    yield { k, id: bmap.direct[i], name: segmentName(bmap.direct[i], owner) };
  }
  async function* tree(t: number, depth: number, id: Uint8Array): AsyncGenerator<SegmentRef> {
    const name = indirectName(id, owner);
    options.beforeIndirect?.(name);
    const obj = await c.readObject(name);
    if (obj.kind !== 'indirect') throw new ReadError('CLFS_READ_BAD_STRUCTURE', `expected an indirect block, found a ${obj.kind} object`, { blob: name });
    if (obj.pointers.length > POINTERS_PER_INDIRECT) throw new ReadError('CLFS_READ_BAD_STRUCTURE', `indirect block holds ${obj.pointers.length} pointers (max ${POINTERS_PER_INDIRECT})`, { blob: name });
    options.onIndirect?.({ name, tree: t, depth, block: obj });
    for (let i = 0; i < obj.pointers.length; i++) {
      const p = obj.pointers[i];
      // past the limit, still descend into a last child: it may be the empty leaf of §8.4 (read, not used)
      if (k >= limit && !(depth < t && i === obj.pointers.length - 1)) return;
      if (depth === t) {
        k++;
        yield { k, id: p, name: segmentName(p, owner) };
      } else {
        yield* tree(t, depth + 1, p);
      }
    }
  }
  for (let t = 0; t < INDIRECT_TREES && k < limit; t++) {
    const root = bmap.indirectRoots[t];
    if (!root || isNullId(root)) continue;
    yield* tree(t, 0, root);
  }
}
