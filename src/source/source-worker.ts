/** Worker thread for source-jobs.ts: lstat and whole reads of small files, with synchronous syscalls. */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { jobError, serveJobs, type JobResult } from '../util/worker-jobs.js';
import { toSourceStat } from './stat.js';
import type { SourceJob, SourceJobResult } from './source-jobs.js';

// O_NOFOLLOW: an entry swapped for a symlink after the scan is never followed out of the tree;
// O_NONBLOCK: one swapped for a FIFO cannot block (it fails the regular-file check instead).
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function readSmall(path: Buffer, max: number): JobResult<SourceJobResult> {
  const fd = openSync(path, READ_FLAGS);
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

function lstatMany(paths: string[]): JobResult<SourceJobResult> {
  const stats = paths.map((p) => {
    try {
      return { stat: toSourceStat(lstatSync(Buffer.from(p, 'latin1'), { bigint: true })) };
    } catch (e) {
      return { err: jobError(e) };
    }
  });
  return { value: { kind: 'stats', stats } };
}

serveJobs<SourceJob, SourceJobResult>((job) => {
  if (job.op === 'lstatMany') return lstatMany(job.paths);
  return readSmall(Buffer.from(job.path, 'latin1'), job.max);
});
