/**
 * The source file system's small operations (lstat of each scanned entry, whole reads of small
 * files) run in two worker threads, in batches (util/worker-pool.ts): for trees of many small
 * files these calls, not the data, are what cost. What crosses the thread boundary is kept flat
 * (strings, typed arrays; stats packed, stat-wire.ts): its structured clone is main-thread time.
 */
import { WorkerPool, errorFromJob, siblingWorkerUrl, type JobError } from '../util/worker-pool.js';
import type { SourceStat } from './stat.js';
import { STAT_BYTES, STAT_WORDS, unpackStat } from './stat-wire.js';
import { handleSourceJob } from './source-handler.js';

/**
 * A job as sent. Paths travel as latin1 strings: byte for byte, and far cheaper to send than a
 * Buffer's whole slab. A bare string is a whole read of a small file (at most `SMALL_READ_MAX` bytes).
 */
export type SourceJob = string | { lstatMany: string[] };

/** Files up to this size are read whole by a worker (file-reader.ts decides which). */
export const SMALL_READ_MAX = 16 * 1024;

/** A job's result as sent back. */
export type SourceWireResult =
  /** a whole read: the packed stat (STAT_BYTES), then the bytes read of a request for size + 1 */
  | Uint8Array
  | { kind: 'not-regular' | 'too-big'; stat: BigInt64Array }
  /** lstatMany: STAT_WORDS words per path in order; the paths whose lstat failed have an error instead */
  | { stats: BigInt64Array; errors: [number, JobError][] };

/** A whole read's result as its caller sees it. */
export type SourceJobResult =
  | { kind: 'not-regular'; stat: SourceStat }
  | { kind: 'too-big'; stat: SourceStat }
  /** `data` holds `length` bytes read of a request for size + 1 */
  | { kind: 'read'; stat: SourceStat; data: Uint8Array; length: number };

const WORKERS = 2;
/** Jobs the main thread runs itself before the workers boot (see WorkerPool): a few ms of lstats. */
const BOOT_AFTER_INLINE_JOBS = 256;
let pool: WorkerPool<SourceJob, SourceWireResult> | undefined;

function sourcePool(): WorkerPool<SourceJob, SourceWireResult> {
  pool ??= new WorkerPool(siblingWorkerUrl(import.meta.url, 'source-worker'), WORKERS, 64, 0, handleSourceJob, BOOT_AFTER_INLINE_JOBS);
  return pool;
}

/** Batches of source jobs so far (sent to the workers, or run inline before they booted) and the jobs they held. */
export function sourceJobCounts(): { batches: number; jobs: number } {
  return { batches: (pool?.batchesSent ?? 0) + (pool?.inlineBatches ?? 0), jobs: (pool?.jobsSent ?? 0) + (pool?.inlineJobs ?? 0) };
}

/**
 * lstat of many paths in one job (a directory's batch of entries): one result per path, a
 * SourceStat or the fs error (code, errno, syscall) lstat gave for it.
 */
export async function lstatManyInWorker(paths: Buffer[]): Promise<(SourceStat | Error)[]> {
  const r = await sourcePool().run({ lstatMany: paths.map((p) => p.toString('latin1')) });
  if (r instanceof Uint8Array || !('stats' in r)) throw new Error('unexpected worker reply to lstatMany');
  const failed = new Map(r.errors);
  return paths.map((_, i) => {
    const err = failed.get(i);
    return err ? errorFromJob(err) : unpackStat(r.stats, i * STAT_WORDS);
  });
}

/** Opens (O_NOFOLLOW | O_NONBLOCK), fstats and, when at most SMALL_READ_MAX bytes, reads a file whole in a worker. */
export async function readSmallInWorker(path: Buffer): Promise<SourceJobResult> {
  const r = await sourcePool().run(path.toString('latin1'));
  if (r instanceof Uint8Array) {
    const stat = unpackStat(new BigInt64Array(r.buffer, r.byteOffset, STAT_WORDS));
    return { kind: 'read', stat, data: r.subarray(STAT_BYTES), length: r.length - STAT_BYTES };
  }
  if ('kind' in r) return { kind: r.kind, stat: unpackStat(r.stat) };
  throw new Error('unexpected worker reply to a read');
}
