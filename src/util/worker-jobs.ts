/** The worker side of worker-pool.ts: answers each batch of jobs in order, one reply per job. */
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchMessage, BatchReply, JobError, PoolWorkerData } from './worker-pool.js';

export interface JobResult<Res> {
  value: Res;
  /** buffers in `value` to move (not copy) to the main thread */
  transfer?: ArrayBuffer[];
}

/** What crosses back to the main thread of a failure: enough to rebuild a Node fs error. */
export function jobError(e: unknown): JobError {
  const err = e as NodeJS.ErrnoException;
  return { message: err?.message ?? String(e), code: err?.code, errno: err?.errno, syscall: err?.syscall };
}

/** A pool's job handler: the worker runs it, and the pool itself while no worker is ready yet. */
export type JobHandler<Req, Res> = (req: Req, payload: Uint8Array) => JobResult<Res>;

/** What a worker posts once it serves jobs (a batch reply is never a string). */
export const WORKER_READY = 'ready';

/**
 * Serves jobs until the main thread ends the worker; a job that throws fails alone. `payload` is a
 * view into a shared arena, valid only until the handler returns.
 */
export function serveJobs<Req, Res>(handle: JobHandler<Req, Res>): void {
  if (!parentPort) throw new Error('serveJobs must run in a worker thread');
  const port = parentPort;
  const arenas = ((workerData as PoolWorkerData | undefined)?.arenas ?? []).map((sab) => new Uint8Array(sab));
  const empty = new Uint8Array(0);
  port.postMessage(WORKER_READY);
  port.on('message', (batch: BatchMessage<Req>) => {
    const reply: BatchReply<Res> = { results: [], errors: [] };
    const transfer: ArrayBuffer[] = [];
    const arena = batch.arena >= 0 ? arenas[batch.arena] : undefined;
    let at = 0;
    for (let i = 0; i < batch.reqs.length; i++) {
      const len = arena ? batch.lens[i] : 0;
      try {
        const r = handle(batch.reqs[i], len > 0 ? arena!.subarray(at, at + len) : empty);
        reply.results.push(r.value);
        if (r.transfer) transfer.push(...r.transfer);
      } catch (e) {
        reply.results.push(undefined);
        reply.errors.push([i, jobError(e)]);
      }
      at += len;
    }
    port.postMessage(reply, transfer);
  });
}
