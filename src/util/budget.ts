/**
 * Back-pressure: a FIFO semaphore over integer units — a byte budget (bytes in flight) for the loader,
 * a slot count (requests in flight) for the loader and the reader. Hand-written: it is a few lines,
 * and the usual packages (p-limit) count slots but cannot weigh a request by its bytes.
 */

/** A FIFO semaphore over an integer capacity; `acquire(n)` waits until n units are free. */
export class Budget {
  private used = 0;
  private readonly waiters: { n: number; resolve: () => void }[] = [];
  constructor(readonly capacity: number) {}

  /** Waits for `n` units (clamped to the capacity so one large request can always run alone). */
  async acquire(n: number): Promise<number> {
    const want = Math.min(Math.max(n, 1), this.capacity);
    if (this.waiters.length === 0 && this.used + want <= this.capacity) {
      this.used += want;
      return want;
    }
    await new Promise<void>((resolve) => this.waiters.push({ n: want, resolve }));
    return want;
  }

  release(n: number): void {
    this.used -= n;
    while (this.waiters.length > 0 && this.used + this.waiters[0].n <= this.capacity) {
      const w = this.waiters.shift()!;
      this.used += w.n;
      w.resolve();
    }
  }

  /** Runs `fn` holding one unit (a request slot). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return withBudget(this, 1, fn);
  }

  get inUse(): number {
    return this.used;
  }
}

/** Runs `fn` holding `n` units of `budget`. */
export async function withBudget<T>(budget: Budget, n: number, fn: () => Promise<T>): Promise<T> {
  const got = await budget.acquire(n);
  try {
    return await fn();
  } finally {
    budget.release(got);
  }
}
