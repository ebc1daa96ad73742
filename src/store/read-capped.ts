/**
 * Reading a blob's bytes with a cap (BlobStore.get's `maxBytes`): a store may list or announce a
 * small size and then serve a huge body, so the bytes held never exceed `maxBytes + 1` (one more
 * byte tells "over"), whatever the size said.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { blobOverLimit } from './blob-store.js';
import { throwIfAborted } from './store-errors.js';

const MIN_CHUNK = 65536;

/**
 * The bytes of an open file, refused by its fstat size before any read, then read into a buffer
 * that grows up to `maxBytes + 1` (the file may grow while it is read, or be a pipe).
 */
export async function readFileCapped(fh: FileHandle, name: string, size: number, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (size > maxBytes) throw blobOverLimit(name, size, maxBytes);
  // +1: a read that fills the buffer means the file grew since fstat
  let buf = Buffer.allocUnsafe(Math.min(Math.max(size + 1, 1), maxBytes + 1));
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > maxBytes) throw blobOverLimit(name, undefined, maxBytes);
      const bigger = Buffer.allocUnsafe(Math.min(Math.max(buf.length * 2, MIN_CHUNK), maxBytes + 1));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    throwIfAborted(signal);
    const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  if (n > maxBytes) throw blobOverLimit(name, undefined, maxBytes);
  return new Uint8Array(buf.buffer, buf.byteOffset, n);
}

/**
 * A response body read whole, or, with `maxBytes`, stopped (the stream destroyed, so the rest is
 * never received) as soon as it holds more than that.
 */
export async function readStreamCapped(stream: Readable | undefined, name: string, maxBytes: number | undefined, touch: () => void): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (maxBytes !== undefined && total > maxBytes) {
      stream.destroy();
      throw blobOverLimit(name, undefined, maxBytes);
    }
    chunks.push(chunk as Buffer);
    touch();
  }
  const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
