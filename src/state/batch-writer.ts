/** Groups many small DB writes into one transaction every few milliseconds. */
import type { JobDb } from './job-db.js';

/**
 * Queues writes and commits them together, at most `maxDelayMs` later or when `maxOps` are
 * waiting. A crash loses at most that window, which only means redoing idempotent work. (What a
 * power loss can take from the destination is handled by load/checkpoints.ts.) Commits run one
 * at a time, in order; the first failure is kept (`failure`) and re-thrown by every later `flush()`.
 */
export class BatchWriter {
  private ops: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** the first commit failure; the job must stop on it */
  failure: unknown;

  constructor(
    private readonly db: JobDb,
    private readonly maxDelayMs = 200,
    private readonly maxOps = 2000,
  ) {}

  /** Queues a write; never throws (a failed background commit shows in `failure` and `flush()`). */
  add(op: () => void): void {
    this.ops.push(op);
    if (this.ops.length >= this.maxOps) this.flushInBackground();
    else if (!this.timer) this.timer = setTimeout(() => this.flushInBackground(), this.maxDelayMs);
  }

  /** Commits everything queued so far; resolves once it is committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      // Taken when this commit starts, not when it was asked for: flushes queued behind one
      // another merge into one transaction.
      const ops = this.ops;
      this.ops = [];
      if (ops.length === 0) return;
      this.db.transaction(() => {
        for (const op of ops) op();
      });
    });
    this.chain = this.chain.catch((err: unknown) => {
      this.failure ??= err;
      throw this.failure;
    });
    return this.chain;
  }

  private flushInBackground(): void {
    this.flush().catch(() => undefined); // kept in `failure`
  }
}
