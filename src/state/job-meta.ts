/** The job's configuration and phase as recorded in the meta table. */
import { StateError } from '../errors.js';
import type { JobDb } from './job-db.js';

export const Phase = { INIT: 'INIT', TRANSFER: 'TRANSFER', RECONCILE: 'RECONCILE', CLEANUP: 'CLEANUP', FINALIZE: 'FINALIZE', DONE: 'DONE' } as const;
export type PhaseName = (typeof Phase)[keyof typeof Phase];

/** What a job is, fixed at creation; a resume must match the identity fields. */
export interface JobConfig {
  /** absolute source path (bytes as hex, so any name survives) */
  sourceHex: string;
  /** containerIdentity(destination): never holds a SAS */
  destination: string;
  compression: 'LZ4' | 'DISABLED';
  preserveHardlinks: boolean;
  containerId: number;
  fsid: number;
  rootNameHex: string;
  bucketUuid: string;
  massUuid: string;
  wipeEpoch: string;
}

const KEYS: (keyof JobConfig)[] = ['sourceHex', 'destination', 'compression', 'preserveHardlinks', 'containerId', 'fsid', 'rootNameHex', 'bucketUuid', 'massUuid', 'wipeEpoch'];

export function writeConfig(db: JobDb, c: JobConfig): void {
  for (const k of KEYS) db.setMeta(`job.${k}`, JSON.stringify(c[k]));
}

/** The recorded job, or undefined if the state dir holds none. */
export function readConfig(db: JobDb): JobConfig | undefined {
  if (db.getMeta('job.sourceHex') === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of KEYS) {
    const v = db.getMeta(`job.${k}`);
    if (v === undefined) throw new StateError('CLFS_STATE_CORRUPT', `state database lacks job.${k}`);
    out[k] = JSON.parse(v);
  }
  return out as unknown as JobConfig;
}

export function readPhase(db: JobDb): PhaseName {
  return (db.getMeta('phase') as PhaseName | undefined) ?? Phase.INIT;
}
export function writePhase(db: JobDb, p: PhaseName): void {
  db.setMeta('phase', p);
}

/**
 * Filehandle sequence numbers (§2.4): reserved 10000 at a time in the database; the first
 * value of a new job is 1001, and a restart continues after the last reserved block.
 */
export class SeqAllocator {
  private next: bigint;
  private limit: bigint;
  constructor(private readonly db: JobDb) {
    const base = BigInt(db.getMeta('seq.reserved') ?? '1000');
    this.next = base;
    this.limit = base;
  }
  /** Hands out the next number; reserves a block in the DB when the current one runs out. */
  take(): bigint {
    if (this.next >= this.limit) {
      this.limit = this.next + 10000n;
      this.db.setMeta('seq.reserved', this.limit.toString());
    }
    this.next += 1n;
    return this.next;
  }
}
