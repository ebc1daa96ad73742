/**
 * The source file system's small operations (lstat of each scanned entry, whole reads of small
 * files) run in two worker threads, in batches (util/worker-pool.ts): for trees of many small
 * files these calls, not the data, are what cost.
 */
import { WorkerPool, siblingWorkerUrl } from '../util/worker-pool.js';
import type { SourceStat } from './stat.js';

/** Paths travel as latin1 strings: byte for byte, and far cheaper to send than a Buffer's whole slab. */
export type SourceJob = { op: 'lstat'; path: string } | { op: 'readSmall'; path: string; max: number };

export type SourceJobResult =
  | { kind: 'stat'; stat: SourceStat }
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

/** lstat in a worker; rejects with the fs error (code, errno, syscall) as lstat would. */
export async function lstatInWorker(path: Buffer): Promise<SourceStat> {
  const r = await sourcePool().run({ op: 'lstat', path: path.toString('latin1') });
  if (r.kind !== 'stat') throw new Error(`unexpected worker reply ${r.kind}`);
  return r.stat;
}

/** Opens (O_NOFOLLOW | O_NONBLOCK), fstats and, when at most `max` bytes, reads a file whole in a worker. */
export function readSmallInWorker(path: Buffer, max: number): Promise<SourceJobResult> {
  return sourcePool().run({ op: 'readSmall', path: path.toString('latin1'), max });
}
