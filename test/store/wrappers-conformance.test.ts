/** The conformance suite through every wrapper, composed around a memory store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

// The loader checkpoints only a store whose puts need a sync to be durable: a wrapper must not
// make one of an Azure-like store (no sync) look like it needs them.
test('a wrapper has sync() exactly when its inner store has it, and forwards it', async () => {
  const plain = new MemoryStore();
  for (const w of [new RetryingStore(plain), new RateLimitedStore(plain, { capMbps: 1000 }), new FaultyStore(plain, { seed: 1 })]) {
    assert.equal(w.sync, undefined, w.constructor.name);
  }
  let syncs = 0;
  const durableLater = Object.assign(new MemoryStore(), { sync: async () => void syncs++ });
  const stack = new RetryingStore(new RateLimitedStore(new FaultyStore(durableLater, { seed: 1 }), { capMbps: 1000 }));
  await stack.sync?.();
  assert.equal(syncs, 1);
});
