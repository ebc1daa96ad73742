/**
 * The source file system's small operations as synchronous calls, for worker threads (run on
 * the main thread they would block it): lstat of many paths, and the open-stat-read-close of a
 * small file; and the flags every source open uses, on either thread.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { jobError, type JobResult } from '../util/worker-jobs.js';
import { toSourceStat } from './stat.js';
import type { SourceJobResult } from './source-jobs.js';

/**
 * How source files are opened. O_NOFOLLOW: an entry swapped for a symlink after the scan is never
 * followed out of the tree; O_NONBLOCK: one swapped for a FIFO cannot block the load (it fails
 * the regular-file check instead).
 */
export const SOURCE_OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens, fstats and, when it holds at most `max` bytes, reads a regular file whole. */
export function readSmallSync(path: Buffer, max: number): JobResult<SourceJobResult> {
  const fd = openSync(path, SOURCE_OPEN_FLAGS);
  try {
    const raw = fstatSync(fd, { bigint: true });
    const stat = toSourceStat(raw);
    if (!raw.isFile()) return { value: { kind: 'not-regular', stat } };
    if (raw.size > BigInt(max)) return { value: { kind: 'too-big', stat } };
    // One read of size + 1 bytes: a longer result means the file grew, a shorter one that it shrank.
    // Once `size` bytes are in, a short read is the end of the file: no second read to see EOF.
    const size = Number(raw.size);
    const data = new Uint8Array(size + 1);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, data, done, size + 1 - done, done);
      if (n === 0) break;
      done += n;
    }
    return { value: { kind: 'read', stat, data, length: done }, transfer: [data.buffer] };
  } finally {
    closeSync(fd);
  }
}

/** lstat of each path (latin1 strings, byte for byte): its stat, or the error lstat gave. */
export function lstatManySync(paths: string[]): JobResult<SourceJobResult> {
  const stats = paths.map((p) => {
    try {
      return { stat: toSourceStat(lstatSync(Buffer.from(p, 'latin1'), { bigint: true })) };
    } catch (e) {
      return { err: jobError(e) };
    }
  });
  return { value: { kind: 'stats', stats } };
}
