/** The worker side of worker-pool.ts: answers each batch of jobs in order, one reply per job. */
import { parentPort } from 'node:worker_threads';
import type { JobError, JobReply } from './worker-pool.js';

export interface JobResult<Res> {
  value: Res;
  /** buffers in `value` to move (not copy) to the main thread */
  transfer?: ArrayBuffer[];
}

function jobError(e: unknown): JobError {
  const err = e as NodeJS.ErrnoException;
  return { message: err?.message ?? String(e), code: err?.code, errno: err?.errno, syscall: err?.syscall };
}

/** Serves jobs until the main thread ends the worker; a job that throws fails alone. */
export function serveJobs<Req, Res>(handle: (req: Req) => JobResult<Res>): void {
  if (!parentPort) throw new Error('serveJobs must run in a worker thread');
  const port = parentPort;
  port.on('message', (reqs: Req[]) => {
    const replies: JobReply<Res>[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const req of reqs) {
      try {
        const r = handle(req);
        replies.push({ ok: r.value });
        if (r.transfer) transfer.push(...r.transfer);
      } catch (e) {
        replies.push({ err: jobError(e) });
      }
    }
    port.postMessage(replies, transfer);
  });
}
