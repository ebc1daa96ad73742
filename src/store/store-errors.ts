/** Helpers shared by the stores and wrappers: building StoreErrors with retry hints, and abort handling. */
import { AbortedError, StoreError, type StoreErrorCode } from '../errors.js';

export interface StoreErrorOptions {
  blob?: string;
  status?: number;
  retryable?: boolean;
  /** the service's error code (e.g. "ServerBusy"), kept instead of the raw SDK error */
  serviceCode?: string;
  /** how long the service asked us to wait (Retry-After), in ms */
  retryAfterMs?: number;
}

/** A StoreError whose `data` also carries `serviceCode` and `retryAfterMs` when known. */
export function storeError(code: StoreErrorCode, message: string, options: StoreErrorOptions = {}): StoreError {
  const err = new StoreError(code, message, { blob: options.blob, status: options.status, retryable: options.retryable });
  if (options.serviceCode !== undefined) err.data.serviceCode = options.serviceCode;
  if (options.retryAfterMs !== undefined) err.data.retryAfterMs = options.retryAfterMs;
  return err;
}

/** The Retry-After hint carried by a StoreError, in ms, if any. */
export function retryAfterMsOf(err: unknown): number | undefined {
  if (!(err instanceof StoreError)) return undefined;
  const v = err.data.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Parses an HTTP Retry-After value (delta-seconds or an HTTP date) into ms. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

/** Sleeps `ms`, rejecting with AbortedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
