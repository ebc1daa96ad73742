/** Worker thread for source-jobs.ts: lstat and whole reads of small files, with synchronous syscalls. */
import { serveJobs } from '../util/worker-jobs.js';
import { lstatManySync, readSmallSync } from './sync-ops.js';
import type { SourceJob, SourceJobResult } from './source-jobs.js';

serveJobs<SourceJob, SourceJobResult>((job) => {
  if (job.op === 'lstatMany') return lstatManySync(job.paths);
  return readSmallSync(Buffer.from(job.path, 'latin1'), job.max);
});
