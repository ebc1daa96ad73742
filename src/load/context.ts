/** Everything one load run shares: database, store, job settings, counters, log, limits. */
import type { BlobStore } from '../store/blob-store.js';
import type { JobDb } from '../state/job-db.js';
import type { BatchWriter } from '../state/batch-writer.js';
import type { JobConfig } from '../state/job-meta.js';
import type { Stats } from '../progress/stats.js';
import type { JobLog } from './job-log.js';
import type { Budget } from '../util/budget.js';
import type { SegmentBuffers } from './segment-buffers.js';
import type { Wakeup } from '../util/wakeup.js';

export interface LoadContext {
  db: JobDb;
  batch: BatchWriter;
  store: BlobStore;
  config: JobConfig;
  /** codec compression number (Compression.LZ4 / NONE) */
  compression: number;
  stats: Stats;
  log: JobLog;
  signal: AbortSignal;
  /** bytes of blob data in flight (read + sealed) */
  memory: Budget;
  /** reusable 8 MiB segment buffers (their number is bounded by `memory`) */
  segmentBuffers: SegmentBuffers;
  /** concurrent object writes, in half slots (transfer.ts: SLOT_UNITS per --concurrency slot) */
  slots: Budget;
  /** woken by the scan whenever it makes objects ready, so the transfer need not poll */
  wakeup?: Wakeup;
  /** optional test hook: called at named points so tests can kill the process there */
  hook: (point: string) => void;
  /** `dev:ino` of directories never to load (the state dir, a local destination inside the source) */
  excluded?: Set<string>;
}
