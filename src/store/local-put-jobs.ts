/**
 * Small puts of LocalDirStore run in two worker threads, in batches (util/worker-pool.ts): a put
 * is four syscalls, and through fs.promises each is a thread-pool round trip that costs more
 * than the syscall. Big blobs stay on fs.promises, which writes them without a copy.
 */
import { WorkerPool, siblingWorkerUrl } from '../util/worker-pool.js';

/** The blob's bytes travel as the job's payload (a shared arena), not in the job. */
export interface PutJob {
  tmp: string;
  file: string;
  fsync: boolean;
}

/**
 * Blobs up to this size go through a worker: the copy into its arena is cheap next to the calls
 * saved. Inodes (≤ ~17 KiB with inline data) qualify; file and directory segments do not.
 */
export const WORKER_PUT_BYTES = 64 * 1024;
/** Each worker's two payload arenas: a batch carries up to this many bytes of blobs. */
const ARENA_BYTES = 1024 * 1024;

const WORKERS = 2;
let pool: WorkerPool<PutJob, null> | undefined;

/** Writes `data` to `tmp` (created exclusively), optionally fsyncs, renames to `file`; the temp file is removed on failure. */
export async function putInWorker(tmp: string, file: string, data: Uint8Array, fsync: boolean): Promise<void> {
  pool ??= new WorkerPool(siblingWorkerUrl(import.meta.url, 'local-put-worker'), WORKERS, 64, ARENA_BYTES);
  await pool.run({ tmp, file, fsync }, data);
}
