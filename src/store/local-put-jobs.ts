/**
 * Small puts of LocalDirStore run in two worker threads, in batches (util/worker-pool.ts): a put
 * is four syscalls, and through fs.promises each is a thread-pool round trip that costs more
 * than the syscall. Big blobs stay on fs.promises, which writes them without a copy.
 */
import { WorkerPool, siblingWorkerUrl } from '../util/worker-pool.js';

export interface PutJob {
  tmp: string;
  file: string;
  data: Uint8Array;
  fsync: boolean;
}

/** Blobs up to this size go through a worker: the copy handed to it is cheap next to the calls saved. */
export const WORKER_PUT_BYTES = 256 * 1024;

const WORKERS = 2;
let pool: WorkerPool<PutJob, null> | undefined;

/** Writes `data` to `tmp` (created exclusively), optionally fsyncs, renames to `file`; the temp file is removed on failure. */
export async function putInWorker(tmp: string, file: string, data: Uint8Array, fsync: boolean): Promise<void> {
  pool ??= new WorkerPool(siblingWorkerUrl(import.meta.url, 'local-put-worker'), WORKERS);
  const copy = new Uint8Array(data); // its own exact ArrayBuffer, moved to the worker
  await pool.run({ tmp, file, data: copy, fsync }, [copy.buffer]);
}
