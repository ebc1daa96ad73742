/**
 * Caps upload bandwidth (`--cap-mbps`, megabits per second) with a token bucket shared by all puts.
 * Puts wait their turn in FIFO order; a blob larger than the bucket borrows against the future
 * (the bucket goes negative), so the long-run rate still equals the cap.
 */
import { forwardSync, type BlobInfo, type BlobPage, type BlobStore, type ListOptions } from './blob-store.js';
import { sleep, throwIfAborted } from './store-errors.js';

/** setTimeout's largest delay: a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RateLimitOptions {
  /** megabits per second (10^6 bits) */
  capMbps: number;
  /** bucket size in seconds of traffic (default 1 s): the largest burst after idling */
  burstSeconds?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly bytesPerSecond: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Resolves when `bytes` may be sent; callers are served in arrival order. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(bytes, signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeNow(bytes: number, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.refill();
    const need = Math.min(bytes, this.capacity);
    // Waits in steps of at most MAX_TIMER_MS (a tiny rate means a long wait, never no wait), and
    // checks the bucket again after each: a timer may fire early, a clock may jump.
    while (this.tokens < need) {
      const ms = Math.ceil(((need - this.tokens) / this.bytesPerSecond) * 1000);
      const step = Number.isFinite(ms) ? Math.min(MAX_TIMER_MS, Math.max(1, ms)) : MAX_TIMER_MS;
      await this.wait(step, signal);
      this.refill(step);
    }
    this.tokens -= bytes;
  }

  /** `sleptMs`: a finished wait lasted at least that long, even if the clock (a test's) says less. */
  private refill(sleptMs = 0): void {
    const t = Math.max(this.now(), this.last + sleptMs);
    if (t <= this.last) return; // a clock that stepped back gives no tokens and takes none
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond);
    this.last = t;
  }
}

export class RateLimitedStore implements BlobStore {
  readonly description: string;
  /** the inner store's durability barrier, present only when the inner store has one */
  readonly sync: (() => Promise<void>) | undefined;
  /** the inner store's, charged for the whole blob as put is */
  readonly putFileRange: BlobStore['putFileRange'];
  readonly bucket: TokenBucket;

  constructor(private readonly inner: BlobStore, options: RateLimitOptions) {
    if (!(options.capMbps > 0) || !Number.isFinite(options.capMbps)) throw new RangeError(`capMbps must be a finite number > 0, got ${options.capMbps}`);
    this.description = inner.description;
    this.sync = forwardSync(inner);
    const putFileRange = inner.putFileRange?.bind(inner);
    this.putFileRange = putFileRange && (async (name, head, range, tail, signal) => {
      await this.bucket.take(head.byteLength + range.length + tail.byteLength, signal);
      return putFileRange(name, head, range, tail, signal);
    });
    const bytesPerSecond = (options.capMbps * 1_000_000) / 8;
    this.bucket = new TokenBucket(bytesPerSecond, bytesPerSecond * (options.burstSeconds ?? 1), options.now, options.sleep);
  }

  async put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.bucket.take(data.byteLength, signal);
    await this.inner.put(name, data, signal);
  }
  async putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    await this.bucket.take(data.byteLength, signal);
    return this.inner.putIfAbsent(name, data, signal);
  }
  listPage(options?: ListOptions): Promise<BlobPage> {
    return this.inner.listPage(options);
  }
  get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    return this.inner.get(name, signal, maxBytes);
  }
  delete(name: string, signal?: AbortSignal): Promise<boolean> {
    return this.inner.delete(name, signal);
  }
  head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    return this.inner.head(name, signal);
  }
  checkAccess(signal?: AbortSignal): Promise<void> {
    return this.inner.checkAccess(signal);
  }
  async close(): Promise<void> {
    await this.inner.close?.();
  }

}
