/** Worker thread for LocalDirStore's small puts: temp file, write, optional fsync, rename, with synchronous syscalls. */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { serveJobs } from '../util/worker-jobs.js';
import type { PutJob } from './local-put-jobs.js';

function put(job: PutJob, data: Uint8Array): void {
  try {
    const fd = openSync(job.tmp, 'wx', 0o644);
    try {
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
      if (job.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(job.tmp, job.file);
  } catch (err) {
    rmSync(job.tmp, { force: true });
    throw err;
  }
}

serveJobs<PutJob, null>((job, data) => {
  put(job, data);
  return { value: null };
});
