/**
 * The source file system's small operations (lstat of each scanned entry, whole reads of small
 * files) run in two worker threads, in batches (util/worker-pool.ts): for trees of many small
 * files these calls, not the data, are what cost.
 */
import { WorkerPool, errorFromJob, siblingWorkerUrl, type JobError } from '../util/worker-pool.js';
import type { SourceStat } from './stat.js';

/** Paths travel as latin1 strings: byte for byte, and far cheaper to send than a Buffer's whole slab. */
export type SourceJob =
  | { op: 'lstatMany'; paths: string[] }
  | { op: 'readSmall'; path: string; max: number };

export type SourceJobResult =
  /** one per path, in order: its stat, or the error lstat gave */
  | { kind: 'stats'; stats: ({ stat: SourceStat } | { err: JobError })[] }
  | { kind: 'not-regular'; stat: SourceStat }
  | { kind: 'too-big'; stat: SourceStat }
  /** `data` holds `length` bytes read of a request for size + 1 */
  | { kind: 'read'; stat: SourceStat; data: Uint8Array; length: number };

const WORKERS = 2;
let pool: WorkerPool<SourceJob, SourceJobResult> | undefined;

function sourcePool(): WorkerPool<SourceJob, SourceJobResult> {
  pool ??= new WorkerPool(siblingWorkerUrl(import.meta.url, 'source-worker'), WORKERS);
  return pool;
}

/** Messages sent to the source workers so far and the jobs they carried (how well jobs batch). */
export function sourceJobCounts(): { batches: number; jobs: number } {
  return { batches: pool?.batchesSent ?? 0, jobs: pool?.jobsSent ?? 0 };
}

/**
 * lstat of many paths in one job (a directory's batch of entries): one result per path, a
 * SourceStat or the fs error (code, errno, syscall) lstat gave for it.
 */
export async function lstatManyInWorker(paths: Buffer[]): Promise<(SourceStat | Error)[]> {
  const r = await sourcePool().run({ op: 'lstatMany', paths: paths.map((p) => p.toString('latin1')) });
  if (r.kind !== 'stats') throw new Error(`unexpected worker reply ${r.kind}`);
  return r.stats.map((s) => ('stat' in s ? s.stat : errorFromJob(s.err)));
}

/** Opens (O_NOFOLLOW | O_NONBLOCK), fstats and, when at most `max` bytes, reads a file whole in a worker. */
export function readSmallInWorker(path: Buffer, max: number): Promise<SourceJobResult> {
  return sourcePool().run({ op: 'readSmall', path: path.toString('latin1'), max });
}
