/** What a load is asked to do. */
import type { BlobStore } from '../store/blob-store.js';
import type { RandomSource } from '../format/ids.js';
import type { Stats } from '../progress/stats.js';
import type { LogLevel, LogListener } from './job-log.js';

/** Automatic concurrency: enough writes in flight to hide per-blob latency, bounded by memory. */
export function defaultConcurrency(): number {
  return 64;
}

export interface LoadOptions {
  /** the source directory exactly as given (its last component names the root, §9.3) */
  source: string;
  stateDir: string;
  store: BlobStore;
  /** the destination without secrets (containerIdentity): recorded and compared on resume */
  destinationIdentity: string;
  /** true: refuse if the state dir already holds a job; false/undefined: resume one if present */
  newSession?: boolean;
  compression: 'LZ4' | 'DISABLED';
  preserveHardlinks: boolean;
  /** stop after this many failed transfers; 0 = unlimited */
  maxErrors: number;
  logLevel?: LogLevel;
  /** objects written at once; undefined = automatic */
  concurrency?: number;
  /** bytes of blob data in flight; undefined = automatic */
  memoryBudget?: number;
  dryRun?: boolean;
  /** paths never loaded even if inside the source (the CLI passes the state dir and a local destination) */
  exclude?: string[];
  signal?: AbortSignal;
  stats?: Stats;
  onLog?: LogListener;
  hook?: (point: string) => void;
  random?: RandomSource;
  /** the machine's boot id (tests simulate a restart); default: the kernel's */
  bootId?: string;
  /** time between durability checkpoints of a store with sync(); default 30 s (checkpoints.ts) */
  checkpointIntervalMs?: number;
}
