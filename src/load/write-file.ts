/** TRANSFER of a regular file: inline data, 8 MiB segments, indirect trees, then the inode. */
import { Btype, FILE_SEGMENT_BYTES, FIRST_SEGMENT_BYTES, LZ4_CHUNK } from '../format/constants.js';
import { BlockMapBuilder, inlineBmap, segmentCount, type IndirectBlock } from '../format/blockmap.js';
import type { Bmap } from '../format/handles.js';
import { fileSegmentOffset } from '../format/objects.js';
import { Compression, sealBlob } from '../format/envelope.js';
import { SEGMENT_DATA_OFFSET, segmentFrame, segmentFrameEnds, writeSegmentFrame, type SegmentFrame } from '../format/segment-frame.js';
import { lz4FirstChunkStaysRaw } from '../format/lz4-frame.js';
import { ENVELOPE_HEADROOM } from '../format/wire.js';
import { v2Name } from '../format/names.js';
import { SourceFile, type SmallRead } from '../source/file-reader.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';
import { blockUuid, indirectIdSource } from './block-ids.js';
import { buildVattr, databackCtime } from './inode-attrs.js';
import { putBlob, putBlobFromFile, putObject } from './put-object.js';
import { inodeName, nlinkWritten, writeInode } from './write-inode.js';
import { deleteStaleBlocks } from './stale-blocks.js';

/**
 * Segment uploads of one file in flight at once. The reference uses 4; more lets one big file
 * fill the destination (the raw upload peaks at 32 PUTs), and the memory budget bounds the total.
 */
const SEGMENTS_IN_FLIGHT = 16;

/**
 * Memory a segment holds while in flight, in blob buffers: the data is read straight into its
 * blob, so one buffer with compression off; with LZ4 also the compressed blocks and the frame.
 */
function segmentFootprint(bufferBytes: number, compression: number): number {
  return compression === Compression.NONE ? bufferBytes : 3 * bufferBytes;
}

/**
 * Writes a regular file; resolves to the bytes uploaded. Segments are all written before the
 * inode. `started`: the file's whole read, when the transfer began it ahead (small files).
 */
export async function writeFile(ctx: LoadContext, row: ObjectRow, started?: SmallRead): Promise<number> {
  const file = await SourceFile.open(row.path, row.stat.size, started);
  try {
    const st = file.stat;
    const size = st.size;
    const nseg = segmentCount(size);
    if (nseg > row.plannedSegs) {
      // Recorded before any segment is written so a retry that finds fewer, or the cleanup of a
      // failed file (deleteLeftovers), can delete the rest.
      ctx.db.setPlannedSegments(row.id, nseg);
    }
    const first = await file.readExact(0, Math.min(Number(size), FIRST_SEGMENT_BYTES));
    // Most files of a big tree fit in their inode: they skip the segment machinery (and its garbage).
    const segments = nseg === 0 ? { bytes: 0, bmap: inlineBmap(row.fh, FILE_SEGMENT_BYTES), indirects: 0 } : await writeSegments(ctx, row, file, nseg);
    await file.checkNoGrowth();
    const vattr = buildVattr(st, row.ftype, size, nlinkWritten(row), ctx.config);
    const bytes = segments.bytes + (await writeInode(ctx, inodeName(row, Btype.REG), {
      kind: 'inode', vattr, bmap: segments.bmap, back: [row.parentFh], name: row.name, data: first,
    }));
    if (row.plannedSegs > nseg) await deleteStaleBlocks(ctx, row, nseg, segments.indirects);
    return bytes;
  } finally {
    await file.close();
  }
}

/** The segments of a file past its inode's inline part, with their indirect blocks; the block map. */
async function writeSegments(ctx: LoadContext, row: ObjectRow, file: SourceFile, nseg: number): Promise<{ bytes: number; bmap: Bmap; indirects: number }> {
  const size = file.stat.size;
  let bytes = 0;
  const ctime = databackCtime(file.stat);
  const ids = indirectIdSource(ctx.config.containerId, row.fh);
  const builder = new BlockMapBuilder(row.fh, ids.next);
  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  // A store that copies file ranges itself (a local directory with the native helper) takes
  // uncompressed segments straight from the file: they never pass through our memory.
  const copiesRanges = ctx.store.putFileRange !== undefined && file.range(0, 0) !== undefined;
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
    const frame = segmentFrame(len, { ctime, offset: fileSegmentOffset(k), owner: row.fh });
    const id = blockUuid(ctx.config.containerId, row.fh, 'file-segment', k);
    const segment: Segment = { name: v2Name({ id, btype: Btype.SEGMENT, owner: row.fh, version: 9 }), offset, len, frame };
    let upload: Promise<number>;
    if (copiesRanges && ctx.compression === Compression.NONE) upload = copySegment(ctx, file, segment);
    else if (copiesRanges && len >= PROBE_DATA_BYTES) upload = copyIfStoredRaw(ctx, file, segment);
    else upload = (await startBufferedSegment(ctx, file, segment)).upload;
    const p = upload.then(
      (n) => {
        bytes += n;
      },
      (err) => {
        failure ??= err;
      },
    );
    const tracked: Promise<void> = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    ctx.hook('file-segment');
    await writeIndirects(builder.add(id));
  }
  await Promise.all(inflight);
  if (failure !== undefined) throw failure;
  ctx.hook('file-before-finish');
  await writeIndirects(builder.finish());
  return { bytes, bmap: builder.bmap(FILE_SEGMENT_BYTES), indirects: ids.count() };
}

interface Segment {
  name: string;
  /** where its data lies in the file, and how much */
  offset: number;
  len: number;
  frame: SegmentFrame;
}

/** A segment the store copies straight from the file between the frame's head and tail; resolves to the blob's bytes. */
async function copySegment(ctx: LoadContext, file: SourceFile, s: Segment): Promise<number> {
  const { head, tail } = segmentFrameEnds(s.len, s.frame);
  const copied = await putBlobFromFile(ctx, s.name, head, file.range(s.offset, s.len)!, tail);
  if (copied !== s.len) throw file.shrankError();
  return s.frame.blobBytes;
}

/** Data bytes in the first LZ4 chunk of a segment's payload (after the DATA header and length word). */
const PROBE_DATA_BYTES = LZ4_CHUNK - (SEGMENT_DATA_OFFSET - ENVELOPE_HEADROOM);

/**
 * LZ4, to a store that copies file ranges: the segment's first 256 KiB chunk alone says whether
 * §5.1 stores it uncompressed (data that does not compress: archives, media, random). If so the
 * store copies it as with compression off, the same blob, without our reading the rest; if not,
 * it is read and compressed as usual (the probe's 256 KiB are read twice, 3 % of a segment).
 */
async function copyIfStoredRaw(ctx: LoadContext, file: SourceFile, s: Segment): Promise<number> {
  const held = await ctx.memory.acquire(LZ4_CHUNK);
  const chunk = probeBuffers.pop() ?? Buffer.allocUnsafeSlow(LZ4_CHUNK);
  let raw: boolean;
  try {
    const { head } = segmentFrameEnds(s.len, s.frame);
    chunk.set(head.subarray(ENVELOPE_HEADROOM));
    await file.readInto(chunk, SEGMENT_DATA_OFFSET - ENVELOPE_HEADROOM, s.offset, PROBE_DATA_BYTES);
    raw = await lz4FirstChunkStaysRaw(chunk, s.frame.blobBytes - ENVELOPE_HEADROOM);
  } finally {
    if (probeBuffers.length < PROBE_BUFFERS_KEPT) probeBuffers.push(chunk);
    ctx.memory.release(held);
  }
  return raw ? copySegment(ctx, file, s) : (await startBufferedSegment(ctx, file, s)).upload;
}

/** copyIfStoredRaw's chunk buffers, reused: a fresh 256 KiB per segment was page faults and GC work. */
const probeBuffers: Buffer[] = [];
const PROBE_BUFFERS_KEPT = 32;

/**
 * A segment read into a buffer (compressed into a frame of its own with LZ4): waits for its memory,
 * then starts; its upload resolves to the blob's bytes (wrapped: an async function would await it).
 */
async function startBufferedSegment(ctx: LoadContext, file: SourceFile, s: Segment): Promise<{ upload: Promise<number> }> {
  const { frame } = s;
  const bufferBytes = ctx.segmentBuffers.sizeFor(frame.blobBytes);
  let held = await ctx.memory.acquire(segmentFootprint(bufferBytes, ctx.compression));
  const buf = ctx.segmentBuffers.take(frame.blobBytes);
  let bufInUse = true;
  const upload = (async () => {
    try {
      await file.readInto(buf, frame.dataOffset, s.offset, s.len);
      const framed = writeSegmentFrame(buf, s.len, frame);
      const blob = ctx.compression === Compression.NONE ? framed.blob : await sealBlob(framed.payload, ctx.compression);
      if (blob.buffer !== buf.buffer) {
        // Compressed into a frame of its own: while it uploads only the frame is held, so the
        // read buffer and the rest of the budget go back now (the upload is the long part).
        ctx.segmentBuffers.give(buf);
        bufInUse = false;
        const keep = Math.min(held, blob.byteLength);
        ctx.memory.release(held - keep);
        held = keep;
      } else if (held > bufferBytes) {
        // Stored uncompressed (data that does not compress): the compressor's buffers are free
        // again, only the read buffer uploads. Without this, random data had a third of the
        // segments in flight that compression off has, and took 1.2x its time.
        ctx.memory.release(held - bufferBytes);
        held = bufferBytes;
      }
      return await putBlob(ctx, s.name, blob);
    } finally {
      // after the put has settled: the blob may be a view of the buffer
      if (bufInUse) ctx.segmentBuffers.give(buf);
      ctx.memory.release(held);
    }
  })();
  return { upload };
}
