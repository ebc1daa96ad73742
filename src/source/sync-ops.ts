/**
 * The source file system's small operations as synchronous calls, for worker threads (run on
 * the main thread they would block it): lstat of many paths, and the open-stat-read-close of a
 * small file; and the flags every source open uses, on either thread.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { jobError, type JobResult } from '../util/worker-jobs.js';
import type { JobError } from '../util/worker-pool.js';
import { toSourceStat } from './stat.js';
import type { SourceWireResult } from './source-jobs.js';
import { STAT_BYTES, STAT_WORDS, packStat } from './stat-wire.js';

/**
 * How source files are opened. O_NOFOLLOW: an entry swapped for a symlink after the scan is never
 * followed out of the tree; O_NONBLOCK: one swapped for a FIFO cannot block the load (it fails
 * the regular-file check instead).
 */
export const SOURCE_OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Opens, fstats and, when it holds at most `max` bytes, reads a regular file whole: into one
 * buffer, after its packed stat, moved (not copied) to the main thread.
 */
export function readSmallSync(path: Buffer, max: number): JobResult<SourceWireResult> {
  const fd = openSync(path, SOURCE_OPEN_FLAGS);
  try {
    const raw = fstatSync(fd, { bigint: true });
    const stat = toSourceStat(raw);
    const packedStat = () => {
      const words = new BigInt64Array(STAT_WORDS);
      packStat(stat, words);
      return words;
    };
    if (!raw.isFile()) return { value: { kind: 'not-regular', stat: packedStat() } };
    if (raw.size > BigInt(max)) return { value: { kind: 'too-big', stat: packedStat() } };
    // One read of size + 1 bytes: a longer result means the file grew, a shorter one that it shrank.
    // Once `size` bytes are in, a short read is the end of the file: no second read to see EOF.
    const size = Number(raw.size);
    const out = new Uint8Array(STAT_BYTES + size + 1);
    packStat(stat, new BigInt64Array(out.buffer, 0, STAT_WORDS));
    const data = out.subarray(STAT_BYTES);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, data, done, size + 1 - done, done);
      if (n === 0) break;
      done += n;
    }
    return { value: out.subarray(0, STAT_BYTES + done), transfer: [out.buffer] };
  } finally {
    closeSync(fd);
  }
}

/** lstat of each path (latin1 strings, byte for byte): its packed stat, or the error lstat gave. */
export function lstatManySync(paths: string[]): JobResult<SourceWireResult> {
  const stats = new BigInt64Array(paths.length * STAT_WORDS);
  const errors: [number, JobError][] = [];
  paths.forEach((p, i) => {
    try {
      packStat(toSourceStat(lstatSync(Buffer.from(p, 'latin1'), { bigint: true })), stats, i * STAT_WORDS);
    } catch (e) {
      errors.push([i, jobError(e)]);
    }
  });
  return { value: { stats, errors }, transfer: [stats.buffer] };
}
