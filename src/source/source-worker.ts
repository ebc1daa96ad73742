/** Worker thread for source-jobs.ts: lstat and whole reads of small files, with synchronous syscalls. */
import { serveJobs } from '../util/worker-jobs.js';
import { lstatManySync, readSmallSync } from './sync-ops.js';
import { SMALL_READ_MAX, type SourceJob, type SourceWireResult } from './source-jobs.js';

serveJobs<SourceJob, SourceWireResult>((job) => {
  if (typeof job === 'string') return readSmallSync(Buffer.from(job, 'latin1'), SMALL_READ_MAX);
  return lstatManySync(job.lstatMany);
});
