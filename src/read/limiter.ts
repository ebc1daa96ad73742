/**
 * A counting semaphore bounding concurrent operations (GETs in flight). Hand-written because it is
 * twenty lines and the usual packages (p-limit) are ESM-only wrappers around the same queue.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`limiter needs max >= 1, got ${max}`);
  }

  /** Runs `fn` once a slot is free; the slot is released when it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // hand the slot straight to the next waiter so `active` never over-counts
      if (next) next();
      else this.active--;
    }
  }
}
