/** Deletes segment and indirect blobs an earlier, larger attempt at a file left behind. */
import { BlockMapBuilder } from '../format/blockmap.js';
import { Btype, INITIAL_VERSION } from '../format/constants.js';
import { v2Name } from '../format/names.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';
import { blockUuid } from './block-ids.js';

/** How many indirect blocks a file of `nseg` segments has (runs the real builder on dummy ids). */
export function indirectCount(nseg: number): number {
  let n = 0;
  const b = new BlockMapBuilder(new Uint8Array(24), () => {
    n++;
    return new Uint8Array(16);
  });
  const dummy = new Uint8Array(16);
  for (let k = 1; k <= nseg; k++) b.add(dummy);
  b.finish();
  return n;
}

/**
 * Segments keep deterministic names, so a retry overwrites the old ones; only the ones past the
 * new end (planned count recorded in the DB before any was written) need deleting.
 */
export async function deleteStaleBlocks(ctx: LoadContext, row: ObjectRow, nseg: number, nIndirect: number): Promise<void> {
  const planned = row.plannedSegs;
  if (planned <= nseg) return;
  const cid = ctx.config.containerId;
  for (let k = nseg + 1; k <= planned; k++) {
    const id = blockUuid(cid, row.fh, 'file-segment', k);
    await ctx.store.delete(v2Name({ id, btype: Btype.SEGMENT, owner: row.fh, version: INITIAL_VERSION }), ctx.signal);
  }
  const oldIndirect = indirectCount(planned);
  for (let i = nIndirect; i < oldIndirect; i++) {
    const id = blockUuid(cid, row.fh, 'indirect', i);
    await ctx.store.delete(v2Name({ id, btype: Btype.INDIRECT, owner: row.fh, version: INITIAL_VERSION }), ctx.signal);
  }
}
