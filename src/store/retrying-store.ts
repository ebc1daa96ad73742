/**
 * Wraps a BlobStore and retries retryable StoreErrors (throttling, 5xx, timeouts, broken connections)
 * with exponential backoff and full jitter, honouring Retry-After, within bounded attempts and time.
 * Never retries 403/404/409 or anything not marked retryable. Aborts promptly when the signal fires.
 */
import { forwardSync, type BlobInfo, type BlobPage, type BlobStore, type ListOptions } from './blob-store.js';
import { StoreError } from '../errors.js';
import { retryAfterMsOf, sleep, throwIfAborted } from './store-errors.js';

export interface RetryEvent {
  op: string;
  blob?: string;
  /** 1 for the first retry */
  attempt: number;
  delayMs: number;
  error: StoreError;
}

export interface RetryOptions {
  /** total tries including the first (default 8) */
  maxAttempts?: number;
  /** first backoff ceiling, ms (default 500) */
  baseDelayMs?: number;
  /** largest single backoff, ms (default 30 s) */
  maxDelayMs?: number;
  /** no retry is started once this much time has passed since the first try, ms (default 5 min) */
  maxElapsedMs?: number;
  onRetry?: (event: RetryEvent) => void;
  /** [0,1) source for jitter (tests pass a fixed one) */
  random?: () => number;
  /** injectable for tests */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export class RetryingStore implements BlobStore {
  readonly description: string;
  /** the inner store's durability barrier, present only when the inner store has one */
  readonly sync: (() => Promise<void>) | undefined;
  /** the inner store's, retried as put is (the source range is read again each try) */
  readonly putFileRange: BlobStore['putFileRange'];
  /** Retries performed so far (the loader reports it). */
  retries = 0;
  private readonly o: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

  constructor(private readonly inner: BlobStore, options: RetryOptions = {}) {
    this.description = inner.description;
    this.sync = forwardSync(inner);
    const putFileRange = inner.putFileRange?.bind(inner);
    this.putFileRange = putFileRange && ((name, head, range, tail, signal) => this.run('put', name, signal, () => putFileRange(name, head, range, tail, signal)));
    this.o = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      maxElapsedMs: options.maxElapsedMs ?? 5 * 60_000,
      onRetry: options.onRetry,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? sleep,
      now: options.now ?? Date.now,
    };
  }

  listPage(options: ListOptions = {}): Promise<BlobPage> {
    return this.run('list', options.prefix, options.signal, () => this.inner.listPage(options));
  }
  get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    return this.run('get', name, signal, () => this.inner.get(name, signal, maxBytes));
  }
  // put is idempotent (whole-blob overwrite), so retrying after an ambiguous failure is safe.
  put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.run('put', name, signal, () => this.inner.put(name, data, signal));
  }
  /**
   * A create retried after a failure that may have landed (a reset, a timeout) and then finding the
   * name taken cannot tell whose the blob is from the answer alone, so it reads the blob back: our
   * own bytes mean an earlier try made it (true); anything else, or nothing, is a real conflict
   * (false). The loader's claim is its bucket object, which holds a random 128-bit UUID: another
   * writer's blob never has the same bytes. Reporting false for our own blob would fail a job on a
   * destination it holds; reporting true for another's would let two jobs share one.
   */
  async putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    let tries = 0;
    const created = await this.run('put', name, signal, () => {
      tries++;
      return this.inner.putIfAbsent(name, data, signal);
    });
    if (created || tries === 1) return created;
    let found: Uint8Array;
    try {
      found = await this.get(name, signal);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'CLFS_STORE_NOT_FOUND') return false; // taken, then deleted by someone else
      throw err;
    }
    return Buffer.compare(Buffer.from(found.buffer, found.byteOffset, found.byteLength), Buffer.from(data.buffer, data.byteOffset, data.byteLength)) === 0;
  }
  // A retried delete whose first try landed reports false; callers treat delete as "ensure absent".
  delete(name: string, signal?: AbortSignal): Promise<boolean> {
    return this.run('delete', name, signal, () => this.inner.delete(name, signal));
  }
  head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    return this.run('head', name, signal, () => this.inner.head(name, signal));
  }
  checkAccess(signal?: AbortSignal): Promise<void> {
    return this.run('check', undefined, signal, () => this.inner.checkAccess(signal));
  }
  async close(): Promise<void> {
    await this.inner.close?.();
  }


  /** The backoff before retry number `attempt` (1-based): full jitter, at least Retry-After. */
  delayFor(attempt: number, error: StoreError): number {
    const ceiling = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.floor(this.o.random() * ceiling);
    const hinted = retryAfterMsOf(error);
    return hinted === undefined ? jittered : Math.max(jittered, Math.min(hinted, this.o.maxDelayMs * 4));
  }

  private async run<T>(op: string, blob: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    const started = this.o.now();
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal);
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof StoreError) || !err.retryable || isFinal(err)) throw err;
        if (attempt >= this.o.maxAttempts) throw err;
        const delayMs = this.delayFor(attempt, err);
        if (this.o.now() - started + delayMs > this.o.maxElapsedMs) throw err;
        this.retries++;
        this.o.onRetry?.({ op, blob, attempt, delayMs, error: err });
        await this.o.sleep(delayMs, signal);
      }
    }
  }
}

/** Statuses that never heal by waiting, even if a backend marked them retryable. */
function isFinal(err: StoreError): boolean {
  return err.status === 403 || err.status === 401 || err.status === 404 || err.status === 409;
}
