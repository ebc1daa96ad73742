/** Worker thread for LocalDirStore's small puts (local-put-handler.ts). */
import { serveJobs } from '../util/worker-jobs.js';
import { handlePutJob } from './local-put-handler.js';
import type { PutJob } from './local-put-jobs.js';

serveJobs<PutJob, null>(handlePutJob);
