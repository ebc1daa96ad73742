/** Worker thread for source-jobs.ts: lstat and whole reads of small files, with synchronous syscalls. */
import { serveJobs } from '../util/worker-jobs.js';
import { handleSourceJob } from './source-handler.js';
import type { SourceJob, SourceWireResult } from './source-jobs.js';

serveJobs<SourceJob, SourceWireResult>(handleSourceJob);
