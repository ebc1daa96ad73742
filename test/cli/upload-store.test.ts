/** The load's store stack: `--cap-mbps` really limits what the load writes, and retries are counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadStore } from '../../src/cli/upload-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { FaultyStore } from '../../src/store/faulty-store.js';
import { RateLimitedStore } from '../../src/store/rate-limited-store.js';

test('--cap-mbps wraps the load\'s store in a rate limit of that many megabits per second', async () => {
  const capped = uploadStore(new MemoryStore(), { capMbps: 24, onRetry: () => undefined });
  assert.ok(capped instanceof RateLimitedStore, 'a rate-limited store');
  assert.equal(capped.bucket.bytesPerSecond, 3_000_000);
  const plain = uploadStore(new MemoryStore(), { onRetry: () => undefined });
  assert.equal(plain instanceof RateLimitedStore, false, 'no cap, no limiter');
});

test('every retry of the load\'s store is reported as it happens', async () => {
  let retries = 0;
  const memory = new MemoryStore();
  // a reset before the write on the first try of each call: each put succeeds on its second try
  const store = uploadStore(new FaultyStore(memory, { seed: 3, pReset: 0.5, retryAfterMs: 1 }), { onRetry: () => void retries++ });
  for (let i = 0; i < 8; i++) await store.put(`b${i}`, Uint8Array.of(i));
  assert.ok(retries > 0, `retries reported: ${retries}`);
  for (let i = 0; i < 8; i++) assert.deepEqual([...await memory.get(`b${i}`)], [i]);
});
