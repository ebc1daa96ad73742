/**
 * Small puts of LocalDirStore run in two worker threads, in batches (util/worker-pool.ts): a put
 * is four syscalls, and through fs.promises each is a thread-pool round trip that costs more
 * than the syscall. Big blobs stay on fs.promises, which writes them without a copy.
 */
import { WorkerPool, siblingWorkerUrl } from '../util/worker-pool.js';
import { handlePutJob } from './local-put-handler.js';

/**
 * The blob's file; its bytes travel as the job's payload (a shared arena), not in the job. The
 * loader's puts (no fsync: it syncs the file system at checkpoints) go as a bare string, a fraction of
 * an object's cost to send; the worker makes the temp name itself.
 */
export type PutJob = string | { file: string; fsync: true };

/**
 * Blobs up to this size go through a worker: the copy into its arena is cheap next to the calls
 * saved. Inodes (≤ ~17 KiB with inline data) qualify; file and directory segments do not.
 */
export const WORKER_PUT_BYTES = 64 * 1024;
/** Each worker's two payload arenas: a batch carries up to this many bytes of blobs. */
const ARENA_BYTES = 1024 * 1024;

const WORKERS = 2;
/** Puts the main thread makes itself before the workers boot (see WorkerPool): a few ms of them. */
const BOOT_AFTER_INLINE_JOBS = 256;
let pool: WorkerPool<PutJob, null> | undefined;

/**
 * Writes `data` as `file`: without fsync, straight to `file` when it does not exist yet; else (or
 * with fsync) through a temp file beside it, fsynced if asked, renamed into place. Nothing of a
 * failed put is left behind.
 */
export async function putInWorker(file: string, data: Uint8Array, fsync: boolean): Promise<void> {
  await putPool().run(fsync ? { file, fsync } : file, data);
}

function putPool(): WorkerPool<PutJob, null> {
  pool ??= new WorkerPool(siblingWorkerUrl(import.meta.url, 'local-put-worker'), WORKERS, 64, ARENA_BYTES, handlePutJob, BOOT_AFTER_INLINE_JOBS);
  return pool;
}
