/** The source workers' job handler (source-worker.ts), also run by the pool before they boot. */
import type { JobResult } from '../util/worker-jobs.js';
import { lstatManySync, readSmallSync } from './sync-ops.js';
import { SMALL_READ_MAX, type SourceJob, type SourceWireResult } from './source-jobs.js';

export function handleSourceJob(job: SourceJob): JobResult<SourceWireResult> {
  if (typeof job === 'string') return readSmallSync(Buffer.from(job, 'latin1'), SMALL_READ_MAX);
  return lstatManySync(job.lstatMany);
}
