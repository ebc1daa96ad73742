/** The Stats model: counters the load pipeline updates and the CLI renders. Never prints. */

export type JobStatus = 'InProgress' | 'Completed' | 'CompletedWithErrors' | 'Failed' | 'Aborted';

/** A snapshot of the job's counters, as rendered in progress lines and the final summary. */
export interface StatsSnapshot {
  phase: string;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  pending: number;
  bytes: number;
  retries: number;
  elapsedMs: number;
  /** upload rate over the whole job so far, megabits per second */
  mbps: number;
  status: JobStatus;
}

export class Stats {
  phase = 'INIT';
  total = 0;
  done = 0;
  failed = 0;
  skipped = 0;
  bytes = 0;
  retries = 0;
  status: JobStatus = 'InProgress';
  /** time already spent in earlier runs of a resumed job */
  priorElapsedMs = 0;
  private readonly startedAt = Date.now();
  private bytesAtStart = 0;

  /** Seeds counters from the database when a job resumes. */
  seed(v: { total: number; done: number; failed: number; bytes: number; priorElapsedMs: number }): void {
    this.total = v.total;
    this.done = v.done;
    this.failed = v.failed;
    this.bytes = v.bytes;
    this.bytesAtStart = v.bytes;
    this.priorElapsedMs = v.priorElapsedMs;
  }

  snapshot(): StatsSnapshot {
    const runMs = Date.now() - this.startedAt;
    const mbps = runMs > 0 ? ((this.bytes - this.bytesAtStart) * 8) / 1e6 / (runMs / 1000) : 0;
    return {
      phase: this.phase,
      total: this.total,
      done: this.done,
      failed: this.failed,
      skipped: this.skipped,
      pending: Math.max(0, this.total - this.done - this.failed - this.skipped),
      bytes: this.bytes,
      retries: this.retries,
      elapsedMs: this.priorElapsedMs + runMs,
      mbps,
      status: this.status,
    };
  }
}
