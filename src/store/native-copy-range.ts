/**
 * Loads native/copy-range: a blob written as head + a range of an open file + tail, the range
 * copied page cache to page cache by copy_file_range (as `cp` copies), not read into our memory
 * and written out again. Optional: when the helper is not built, or CLFSLOAD_NO_NATIVE_COPY=1
 * (read once, at first use), LocalDirStore has no putFileRange and the loader reads segments into
 * buffers as it does for every other store.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { getSystemErrorName } from 'node:util';
import { findUp } from '../util/find-up.js';

const ADDON = path.join('native', 'copy-range', 'build', 'Release', 'copy_range.node');

interface NativeCopyRange {
  writeRange(outFd: number, head: Uint8Array, inFd: number, inOffset: number, length: number, tail: Uint8Array): Promise<number>;
}

/** writeRange's failure: `syscall` says whose it is, "read" (the source file) or "write" (the blob). */
export type CopyRangeError = NodeJS.ErrnoException & { syscall: 'read' | 'write' };

export type WriteRange = NativeCopyRange['writeRange'];

let loaded: { writeRange?: WriteRange } | undefined;

function load(): { writeRange?: WriteRange } {
  if (loaded) return loaded;
  if (process.env.CLFSLOAD_NO_NATIVE_COPY === '1') return (loaded = {});
  const file = findUp(import.meta.url, ADDON);
  if (!file) return (loaded = {});
  try {
    const native = createRequire(import.meta.url)(file) as NativeCopyRange;
    const writeRange: WriteRange = (...args) =>
      native.writeRange(...args).catch((err: NodeJS.ErrnoException) => {
        // the helper sets errno and syscall; the code (ENOSPC, EIO, …) as Node's own errors carry it
        if (typeof err.errno === 'number') err.code = getSystemErrorName(err.errno);
        throw err;
      });
    return (loaded = { writeRange });
  } catch {
    return (loaded = {}); // built for another Node ABI, or broken: the buffered path does the same job
  }
}

/**
 * The helper's writeRange(outFd, head, inFd, inOffset, length, tail), or undefined. It writes at
 * outFd's current offset and resolves to the range's bytes copied (short: the source ended early,
 * and the tail was not written); it rejects with a CopyRangeError.
 */
export function nativeWriteRange(): WriteRange | undefined {
  return load().writeRange;
}
