/**
 * LocalDirStore's small puts with synchronous syscalls (the rules are in local-dir-store.ts): the
 * put workers' handler (local-put-worker.ts), also run by the pool before they boot.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { JobResult } from '../util/worker-jobs.js';
import type { PutJob } from './local-put-jobs.js';
import { tempNamer } from './temp-names.js';

const tempPath = tempNamer();

function writeAll(fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
}

/** A blob that does not exist yet, written straight to its name; false when the name exists. */
function putNew(file: string, data: Uint8Array): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeAll(fd, data);
    closeSync(fd);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed, or the close itself failed: the file goes either way
    }
    rmSync(file, { force: true });
    throw err;
  }
  return true;
}

/** Temp file, write, optional fsync, rename into place: readers see the old bytes or the new. */
function putReplacing(file: string, fsync: boolean, data: Uint8Array): void {
  const tmp = tempPath(path.dirname(file));
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeAll(fd, data);
      if (fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function handlePutJob(job: PutJob, data: Uint8Array): JobResult<null> {
  if (typeof job !== 'string') putReplacing(job.file, job.fsync, data);
  else if (!putNew(job, data)) putReplacing(job, false, data);
  return { value: null };
}
