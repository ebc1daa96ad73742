/**
 * Durability without waiting for the disk, for stores whose puts are durable only after sync()
 * (a local directory). Puts and the job database's commits run at page-cache speed; every
 * CHECKPOINT_INTERVAL_MS a checkpoint syncs the store in the background and records which rows it
 * made durable. A process that dies (a kill, a crash) loses nothing the kernel already holds, so
 * a resume on the same boot trusts every done row. After a restart of the machine (a new boot id)
 * the rows done since the last checkpoint, the root and the hard-linked objects are written again,
 * and a job that had gone past TRANSFER goes back to it: what a power loss can have taken is
 * exactly what was not yet synced.
 *
 * A failed sync (a writeback error: the kernel may have dropped the data) stops the job, and its
 * resume undoes the same as after a restart.
 *
 * Meta keys: `durability.epoch` (JobDb: rows marked done now carry it), `durability.synced` (the
 * last epoch a checkpoint made durable), `durability.boot` (the boot id of the machine that last
 * ran the job, or SYNC_FAILED) and `durability.dirty` ('1' while the job may hold unsynced work).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../store/blob-store.js';
import type { JobDb } from '../state/job-db.js';
import { Phase, readPhase, writePhase } from '../state/job-meta.js';

export const CHECKPOINT_INTERVAL_MS = 30_000;
const SYNCED = 'durability.synced';
const BOOT = 'durability.boot';
const DIRTY = 'durability.dirty';
/** recorded as the boot id after a failed sync: the next resume undoes as after a restart */
const SYNC_FAILED = 'sync-failed';

let thisBoot: string | undefined;

/**
 * The kernel's id of this boot (Linux). Elsewhere a fresh id per process: every resume is then
 * treated as after a restart, which redoes the unsynced tail but is never wrong.
 */
export function currentBootId(): string {
  if (thisBoot === undefined) {
    try {
      thisBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      thisBoot = `unknown-${randomUUID()}`;
    }
  }
  return thisBoot;
}

export interface Recovery {
  /** why: the machine restarted, or a sync of the destination failed */
  reason: 'restart' | 'sync-failed';
  /** rows that were done but are pending again */
  rows: number;
  /** the phase the job was in, when it had to go back to TRANSFER */
  fromPhase?: string;
}

/**
 * Run first when a job's database opens: if the job held unsynced work when the machine last
 * stopped (dirty, another boot) or a sync failed, undoes what may not be on the disk. Returns
 * what it undid.
 */
export function recoverAfterRestart(db: JobDb, bootId: string): Recovery | undefined {
  if (db.getMeta(DIRTY) !== '1' || db.getMeta(BOOT) === bootId) return undefined;
  const synced = Number(db.getMeta(SYNCED) ?? '-1');
  const reason = db.getMeta(BOOT) === SYNC_FAILED ? 'sync-failed' : 'restart';
  return db.transaction(() => {
    const out: Recovery = { reason, rows: db.undoDoneAfter(synced) };
    const phase = readPhase(db);
    if (phase !== Phase.INIT && phase !== Phase.TRANSFER) {
      // FINALIZE's copy of the root and RECONCILE/CLEANUP's rewrites and deletes were not synced:
      // their inputs (the tmp root, the in-progress names) are rewritten by TRANSFER first.
      out.rows += db.undoFinishing();
      out.fromPhase = phase;
      writePhase(db, Phase.TRANSFER);
    }
    // The undone work is redone on this boot; until then the job stays dirty.
    db.setMeta(BOOT, bootId);
    return out;
  });
}

/** Checkpoints of one run; a no-op for a store without sync() (its puts are durable at once). */
export class Checkpoints {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** the first sync failure: later checkpoints record nothing, and the run fails at its end */
  failure: unknown;

  constructor(
    private readonly db: JobDb,
    private readonly store: BlobStore,
    private readonly bootId: string,
    private readonly intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  private get active(): boolean {
    return this.store.sync !== undefined;
  }

  /** Marks the job dirty on this boot (before its first write) and starts the periodic checkpoints. */
  begin(): void {
    if (!this.active) return;
    this.db.transaction(() => {
      this.db.setMeta(BOOT, this.bootId);
      this.db.setMeta(DIRTY, '1');
    });
    this.timer = setInterval(() => {
      this.checkpoint().catch(() => undefined); // kept in `failure`
    }, this.intervalMs);
    this.timer.unref();
  }

  /**
   * Syncs the store and records every row marked done before the sync began as durable. A row
   * committed after the epoch advanced carries the next epoch, even if its put finished earlier.
   */
  checkpoint(): Promise<void> {
    if (!this.active) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.running ??= (async () => {
      try {
        const ended = this.db.advanceEpoch();
        await this.store.sync!();
        this.db.setMeta(SYNCED, String(ended));
      } catch (err) {
        // A later sync can succeed without bringing back what this one failed to write.
        this.failure ??= err;
        this.db.setMeta(BOOT, SYNC_FAILED);
        throw err;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /**
   * Stops the periodic checkpoints. A run that finished (`stopping` false) does not wait for the
   * disk: a restart before the kernel writes it back redoes only its unsynced tail; but if a
   * checkpoint failed, this throws its error, and the run fails instead. A run that stops before
   * its end (an error, an interrupt) takes one last checkpoint, so that no restart undoes its work;
   * that one's failure is not thrown (the run already fails with its own error).
   */
  async end(stopping: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.active) return;
    await this.running?.catch(() => undefined);
    if (!stopping) {
      if (this.failure !== undefined) throw this.failure;
      return;
    }
    try {
      await this.checkpoint();
      this.db.setMeta(DIRTY, '0');
    } catch {
      // the job stays dirty: its resume redoes the unsynced tail
    }
  }
}
