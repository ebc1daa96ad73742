/** TRANSFER of a regular file: inline data, 8 MiB segments, indirect trees, then the inode. */
import { Btype, FILE_SEGMENT_BYTES, FIRST_SEGMENT_BYTES } from '../format/constants.js';
import { BlockMapBuilder, segmentCount, type IndirectBlock } from '../format/blockmap.js';
import { fileSegmentOffset } from '../format/objects.js';
import { v2Name } from '../format/names.js';
import { SourceFile } from '../source/file-reader.js';
import { SourceError } from '../errors.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';
import { blockUuid, indirectIdSource } from './block-ids.js';
import { buildVattr, databackCtime } from './inode-attrs.js';
import { putObject } from './put-object.js';
import { inodeName, nlinkWritten, writeInode } from './write-inode.js';
import { deleteStaleBlocks } from './stale-blocks.js';

/**
 * Segment uploads of one file in flight at once. The reference uses 4; more lets one big file
 * fill the destination (the raw upload peaks at 32 PUTs), and the memory budget bounds the total.
 */
const SEGMENTS_IN_FLIGHT = 16;

/**
 * Bytes charged per segment: the read buffer, the encoded payload (the envelope is written in
 * place when stored uncompressed), and with LZ4 the frame and its envelope copy.
 */
const SEGMENT_FOOTPRINT = 4;

/** Writes a regular file; resolves to the bytes uploaded. Segments are all written before the inode. */
export async function writeFile(ctx: LoadContext, row: ObjectRow): Promise<number> {
  const file = await SourceFile.open(row.path);
  let nsegSeen = row.plannedSegs;
  try {
    const st = file.stat;
    const size = st.size;
    const nseg = segmentCount(size);
    if (nseg > row.plannedSegs) {
      // Recorded before any segment is written so a retry that finds fewer can delete the rest.
      ctx.db.setPlannedSegments(row.id, nseg);
    }
    nsegSeen = Math.max(nsegSeen, nseg);
    const ownerName = (k: number) => blockUuid(ctx.config.containerId, row.fh, 'file-segment', k);
    const first = await file.readExact(0, Math.min(Number(size), FIRST_SEGMENT_BYTES));
    let bytes = 0;
    const ctime = databackCtime(st);
    const ids = indirectIdSource(ctx.config.containerId, row.fh);
    const builder = new BlockMapBuilder(row.fh, ids.next);
    const inflight = new Set<Promise<void>>();
    let failure: unknown;
    const writeIndirects = async (blocks: IndirectBlock[]) => {
      for (const b of blocks) {
        bytes += await putObject(ctx, v2Name({ id: b.id, btype: Btype.INDIRECT, owner: row.fh, version: 9 }), {
          kind: 'indirect', pointers: b.pointers, databack: { ctime, offset: b.offset, owner: row.fh },
        });
      }
    };
    for (let k = 1; k <= nseg && failure === undefined; k++) {
      while (inflight.size >= SEGMENTS_IN_FLIGHT) await Promise.race(inflight);
      if (failure !== undefined) break;
      const offset = FIRST_SEGMENT_BYTES + (k - 1) * FILE_SEGMENT_BYTES;
      const len = Math.min(FILE_SEGMENT_BYTES, Number(size) - offset);
      const held = await ctx.memory.acquire(SEGMENT_FOOTPRINT * len + 4096);
      const id = ownerName(k);
      const p = (async () => {
        try {
          const data = await file.readExact(offset, len);
          bytes += await putObject(ctx, v2Name({ id, btype: Btype.SEGMENT, owner: row.fh, version: 9 }), {
            kind: 'file-segment', data, databack: { ctime, offset: fileSegmentOffset(k), owner: row.fh },
          });
        } finally {
          ctx.memory.release(held);
        }
      })().catch((err) => {
        failure ??= err;
      });
      const tracked: Promise<void> = p.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
      ctx.hook('file-segment');
      await writeIndirects(builder.add(id));
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    ctx.hook('file-before-finish');
    await writeIndirects(builder.finish());
    await file.checkNoGrowth();
    const vattr = buildVattr(st, row.ftype, size, nlinkWritten(row), ctx.config);
    bytes += await writeInode(ctx, inodeName(row, Btype.REG), {
      kind: 'inode', vattr, bmap: builder.bmap(FILE_SEGMENT_BYTES), back: [row.parentFh], name: row.name, data: first,
    });
    await deleteStaleBlocks(ctx, row, nseg, ids.count());
    return bytes;
  } catch (err) {
    if (err instanceof SourceError) {
      // The inode will not be written: remove the blocks already sent so none is left orphaned.
      await deleteStaleBlocks(ctx, { ...row, plannedSegs: nsegSeen }, 0, 0).catch(() => undefined);
    }
    throw err;
  } finally {
    await file.close();
  }
}
