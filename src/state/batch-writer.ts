/** Groups many small DB writes into one transaction every few milliseconds. */
import type { JobDb } from './job-db.js';

/**
 * Queues writes and commits them together, at most `maxDelayMs` later or when `maxOps`
 * are waiting. A crash loses at most that window, which only means redoing idempotent work.
 */
export class BatchWriter {
  private ops: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly db: JobDb,
    private readonly maxDelayMs = 200,
    private readonly maxOps = 512,
  ) {}

  add(op: () => void): void {
    this.ops.push(op);
    if (this.ops.length >= this.maxOps) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    this.db.transaction(() => {
      for (const op of ops) op();
    });
  }
}
