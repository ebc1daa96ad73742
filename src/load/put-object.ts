/** Encoding, sealing and uploading one object, with accounting. */
import { encodeObject, type ClfsObject } from '../format/objects.js';
import { sealBlob } from '../format/envelope.js';
import { AbortedError } from '../errors.js';
import type { FileRange } from '../store/blob-store.js';
import type { LoadContext } from './context.js';

/** Seals (LZ4 off the main thread) and uploads `obj` as blob `name`; returns the blob size. */
export async function putObject(ctx: LoadContext, name: string, obj: ClfsObject): Promise<number> {
  if (ctx.signal.aborted) throw new AbortedError();
  return putBlob(ctx, name, await sealBlob(encodeObject(obj), ctx.compression));
}

/** Uploads a sealed blob; returns its size. */
export async function putBlob(ctx: LoadContext, name: string, blob: Uint8Array): Promise<number> {
  if (ctx.signal.aborted) throw new AbortedError();
  await ctx.store.put(name, blob, ctx.signal);
  ctx.stats.bytes += blob.length;
  return blob.length;
}

/**
 * Uploads an uncompressed segment as head + a range of its source file + tail, through a store
 * that copies the range itself (BlobStore.putFileRange); returns the range's bytes copied (short:
 * the file shrank, and nothing was kept) and counts the blob's bytes when whole.
 */
export async function putBlobFromFile(ctx: LoadContext, name: string, head: Uint8Array, range: FileRange, tail: Uint8Array): Promise<number> {
  if (ctx.signal.aborted) throw new AbortedError();
  const copied = await ctx.store.putFileRange!(name, head, range, tail, ctx.signal);
  if (copied === range.length) ctx.stats.bytes += head.length + copied + tail.length;
  return copied;
}
