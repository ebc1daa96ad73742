/** The conformance suite through every wrapper, composed around a memory store. */
import { MemoryStore } from '../../src/store/memory-store.js';
import { RetryingStore } from '../../src/store/retrying-store.js';
import { RateLimitedStore } from '../../src/store/rate-limited-store.js';
import { FaultyStore } from '../../src/store/faulty-store.js';
import { runBlobStoreConformance } from './conformance.js';

let seed = 1;
const noSleep = { sleep: async () => undefined, maxAttempts: 50 };

runBlobStoreConformance('retrying(memory)', async () => new RetryingStore(new MemoryStore()), {
  makeMissingStore: async () => new RetryingStore(new MemoryStore({ containerExists: false })),
});

// Random retryable faults on every call (resets that may land after the write) must be invisible through a retrying store.
runBlobStoreConformance('retrying(faulty(memory))', async () =>
  new RetryingStore(new FaultyStore(new MemoryStore(), { seed: seed++, p500: 0.05, p503: 0.05, p429: 0.05, pReset: 0.05, retryAfterMs: 1 }), noSleep), {
  makeMissingStore: async () => new RetryingStore(new FaultyStore(new MemoryStore({ containerExists: false }), { seed: seed++, p503: 0.2 }), noSleep),
});

runBlobStoreConformance('rate-limited(memory) at 100 Gbit/s', async () => new RateLimitedStore(new MemoryStore(), { capMbps: 100_000 }), {
  makeMissingStore: async () => new RateLimitedStore(new MemoryStore({ containerExists: false }), { capMbps: 100_000 }),
});
