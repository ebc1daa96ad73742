/** The store a load writes through, composed around the destination's own store. */
import type { BlobStore } from '../store/blob-store.js';
import { RetryingStore } from '../store/retrying-store.js';
import { RateLimitedStore } from '../store/rate-limited-store.js';

export interface UploadStoreOptions {
  /** `--cap-mbps`: the rate limit sits outside the retries, so a retried put is charged again */
  capMbps?: number;
  /** called at each retry, as it happens (the job log's totals and the summary agree) */
  onRetry: () => void;
}

export function uploadStore(base: BlobStore, o: UploadStoreOptions): BlobStore {
  const retrying = new RetryingStore(base, { onRetry: o.onRetry });
  return o.capMbps ? new RateLimitedStore(retrying, { capMbps: o.capMbps }) : retrying;
}
