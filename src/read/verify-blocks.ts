/**
 * Verify's walk over an object's segments and indirect blocks (§8, §9.2, §11.7): every block
 * reachable from the BMAP exists under its computed name, is the right kind, and carries the
 * right DATABACK owner and offset. Failures become findings; these generators never throw.
 */
import { dirSegmentOffset, fileSegmentOffset, idsEqual, indirectOffset } from '../format/index.js';
import type { Bmap, Dirent } from '../format/index.js';
import { segmentRefs, type IndirectVisit, type SegmentRef } from './block-refs.js';
import { piecesBytes } from './dir-entries.js';
import { segmentBytes } from './file-content.js';
import { readAhead } from './read-ahead.js';
import { loadObject, reportReadFailure, type VerifyContext } from './verify-context.js';

/** Walk options that record indirect blocks and check their DATABACK ((tree << 16) + depth, §8.4). */
function indirectHooks(ctx: VerifyContext, owner: Uint8Array, path: string) {
  return {
    beforeIndirect: (name: string) => ctx.referenced.add(name),
    onIndirect: (v: IndirectVisit) => {
      ctx.stats.indirectBlocks++;
      const want = indirectOffset(v.tree, v.depth);
      if (!idsEqual(v.block.databack.owner, owner) || v.block.databack.offset !== want) {
        ctx.sink.add('VERIFY_DATABACK', `indirect block (tree ${v.tree}, depth ${v.depth}) has DATABACK offset ${v.block.databack.offset}, expected ${want}, or a foreign owner`, { blob: v.name, path });
      }
    },
  };
}

/** Pulls refs from `segmentRefs`, turning a broken indirect block into a finding and an early end. */
async function* safeRefs(ctx: VerifyContext, owner: Uint8Array, bmap: Bmap, path: string, limit: number | undefined, broken: { value: boolean }): AsyncGenerator<SegmentRef> {
  try {
    yield* segmentRefs(ctx.c, owner, bmap, { limit, ...indirectHooks(ctx, owner, path) });
  } catch (err) {
    broken.value = true;
    reportReadFailure(ctx, err, { path });
  }
}

/**
 * Checks the segments of a regular file of `length` bytes; returns the number of bytes found in
 * readable, well-formed segments and how many segments the map yielded.
 */
export async function verifyFileSegments(ctx: VerifyContext, id: Uint8Array, bmap: Bmap, length: bigint, nseg: number, path: string): Promise<{ bytes: bigint; segments: number; broken: boolean }> {
  const broken = { value: false };
  const fetch = async (ref: SegmentRef): Promise<number> => {
    ctx.referenced.add(ref.name);
    const obj = await loadObject(ctx, ref.name, path);
    if (!obj) return -1;
    if (obj.kind !== 'file-segment') {
      ctx.sink.add('VERIFY_WRONG_KIND', `block ${ref.k} is a ${obj.kind} object, not a file segment`, { blob: ref.name, path });
      return -1;
    }
    ctx.stats.fileSegments++;
    if (!idsEqual(obj.databack.owner, id) || obj.databack.offset !== fileSegmentOffset(ref.k)) {
      ctx.sink.add('VERIFY_DATABACK', `segment ${ref.k} has DATABACK offset ${obj.databack.offset}, expected ${fileSegmentOffset(ref.k)}, or a foreign owner`, { blob: ref.name, path });
    }
    const want = segmentBytes(length, ref.k);
    if (obj.data.length !== want) {
      ctx.sink.add('VERIFY_SIZE_MISMATCH', `segment ${ref.k} of ${nseg} holds ${obj.data.length} bytes, expected ${want} (every segment but the last is full)`, { blob: ref.name, path });
    }
    return obj.data.length; // keep only the size: the data is dropped here
  };
  let bytes = 0n;
  let segments = 0;
  for await (const n of readAhead(safeRefs(ctx, id, bmap, path, nseg, broken), fetch, ctx.readAhead)) {
    segments++;
    if (n < 0) broken.value = true;
    else bytes += BigInt(n);
  }
  return { bytes, segments, broken: broken.value };
}

export interface VerifiedPiece {
  index: number;
  blob?: string;
  entries: Dirent[];
  bytes: number;
}

/** The pieces of a directory (inline first), each checked; `state.broken` is set if any could not be read. */
export async function* verifyDirPieces(ctx: VerifyContext, id: Uint8Array, bmap: Bmap, inline: Dirent[], path: string, state: { broken: boolean }): AsyncGenerator<VerifiedPiece> {
  yield { index: 0, entries: inline, bytes: piecesBytes(inline) };
  const broken = { value: false };
  const fetch = async (ref: SegmentRef): Promise<VerifiedPiece | undefined> => {
    ctx.referenced.add(ref.name);
    const obj = await loadObject(ctx, ref.name, path);
    if (!obj) return undefined;
    if (obj.kind !== 'dir-segment') {
      ctx.sink.add('VERIFY_WRONG_KIND', `directory block ${ref.k} is a ${obj.kind} object, not a directory segment`, { blob: ref.name, path });
      return undefined;
    }
    ctx.stats.dirSegments++;
    if (!idsEqual(obj.databack.owner, id) || obj.databack.offset !== dirSegmentOffset(ref.k)) {
      ctx.sink.add('VERIFY_DATABACK', `directory segment ${ref.k} has DATABACK offset ${obj.databack.offset}, expected ${dirSegmentOffset(ref.k)}, or a foreign owner`, { blob: ref.name, path });
    }
    return { index: ref.k, blob: ref.name, entries: obj.entries, bytes: piecesBytes(obj.entries) };
  };
  for await (const piece of readAhead(safeRefs(ctx, id, bmap, path, undefined, broken), fetch, ctx.readAhead)) {
    if (piece) yield piece;
    else state.broken = true;
  }
  if (broken.value) state.broken = true;
}
