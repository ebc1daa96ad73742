/**
 * A regular file's bytes in order (§8.1, §13 step 6): inode DATA, then segments 1..nseg with
 * limited read-ahead. Each piece is checked (owner, offset, size) before it is yielded, so a
 * consumer never writes bytes from the wrong place.
 */
import { FILE_SEGMENT_BYTES, FIRST_SEGMENT_BYTES, fileSegmentOffset, idsEqual, segmentCount } from '../format/index.js';
import type { Container, InodeObject } from './container.js';
import { segmentRefs, type SegmentRef } from './block-refs.js';
import { readAhead } from './read-ahead.js';
import { ReadError } from './read-error.js';

export interface FileReadOptions {
  /** segments fetched ahead of the consumer (default 3; each up to 8 MiB) */
  readAhead?: number;
  path?: string;
  /** the inode's blob name, for messages */
  blob?: string;
}

/** Expected byte size of block k ≥ 1 of a file of `length` bytes. */
export function segmentBytes(length: bigint, k: number): number {
  const start = BigInt(FIRST_SEGMENT_BYTES) + BigInt(k - 1) * BigInt(FILE_SEGMENT_BYTES);
  const left = length - start;
  return Number(left > BigInt(FILE_SEGMENT_BYTES) ? BigInt(FILE_SEGMENT_BYTES) : left);
}

/** Streams the file's content; throws ReadError/FormatError/StoreError when the container is damaged. */
export async function* fileChunks(c: Container, id: Uint8Array, inode: InodeObject, options: FileReadOptions = {}): AsyncGenerator<Uint8Array> {
  const length = inode.vattr.length;
  const inline = inode.data ?? new Uint8Array(0);
  const wantInline = Number(length < BigInt(FIRST_SEGMENT_BYTES) ? length : BigInt(FIRST_SEGMENT_BYTES));
  if (inline.length !== wantInline) {
    throw new ReadError('CLFS_READ_BAD_STRUCTURE', `inode DATA holds ${inline.length} bytes, expected ${wantInline} for length ${length}`, { path: options.path, blob: options.blob });
  }
  if (inline.length > 0) yield inline;
  const nseg = segmentCount(length);
  if (nseg === 0) return;
  const fetch = async (ref: SegmentRef): Promise<Uint8Array> => {
    const obj = await c.readObject(ref.name);
    if (obj.kind !== 'file-segment') throw new ReadError('CLFS_READ_BAD_STRUCTURE', `expected a file segment, found a ${obj.kind} object`, { blob: ref.name });
    if (!idsEqual(obj.databack.owner, id) || obj.databack.offset !== fileSegmentOffset(ref.k)) {
      throw new ReadError('CLFS_READ_BAD_STRUCTURE', `segment ${ref.k} DATABACK says owner/offset ${obj.databack.offset}, expected ${fileSegmentOffset(ref.k)}`, { blob: ref.name });
    }
    const want = segmentBytes(length, ref.k);
    if (obj.data.length !== want) throw new ReadError('CLFS_READ_BAD_STRUCTURE', `segment ${ref.k} holds ${obj.data.length} bytes, expected ${want}`, { blob: ref.name });
    return obj.data;
  };
  let seen = 0;
  for await (const data of readAhead(segmentRefs(c, id, inode.bmap, { limit: nseg }), fetch, options.readAhead ?? 3)) {
    seen++;
    yield data;
  }
  if (seen !== nseg) throw new ReadError('CLFS_READ_BAD_STRUCTURE', `block map lists ${seen} segments, length ${length} needs ${nseg}`, { path: options.path, blob: options.blob });
}
