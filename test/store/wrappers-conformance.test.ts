/** The conformance suite through every wrapper, composed around a memory store, and around a local directory (putFileRange). */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../src/store/memory-store.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
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

const root = mkdtempSync(path.join(os.tmpdir(), 'clfs-wrapped-local-'));
after(() => rmSync(root, { recursive: true, force: true }));

// putFileRange through every wrapper at once, faults and retries included
runBlobStoreConformance('retrying(faulty(rate-limited(local directory)))', async () =>
  new RetryingStore(new FaultyStore(new RateLimitedStore(new LocalDirStore(mkdtempSync(path.join(root, 'c-')), { fsync: false }), { capMbps: 100_000 }),
    { seed: seed++, p503: 0.05, pReset: 0.05, retryAfterMs: 1 }), noSleep), { manyCount: 1200 });

test('a wrapper has putFileRange exactly when its inner store has it; the rate limit charges the whole blob, faults count it as a put', async () => {
  const plain = new MemoryStore();
  for (const w of [new RetryingStore(plain), new RateLimitedStore(plain, { capMbps: 1000 }), new FaultyStore(plain, { seed: 1 })]) {
    assert.equal(w.putFileRange, undefined, w.constructor.name);
  }
  const local = new LocalDirStore(mkdtempSync(path.join(root, 'w-')), { fsync: false });
  assert.ok(local.putFileRange, 'native/copy-range is built (npm ci builds it)');
  writeFileSync(path.join(root, 'src'), Buffer.alloc(1000, 1));
  const fh = await open(path.join(root, 'src'), 'r');
  try {
    const range = { fd: fh.fd, offset: 0, length: 1000, readError: (e: unknown) => e as Error };
    // 1,000 bytes/s and a bucket of 1,000 on a frozen clock: the next put waits for whatever the first overdrew
    const waits: number[] = [];
    const limited = new RateLimitedStore(local, { capMbps: 0.008, now: () => 0, sleep: async (ms) => void waits.push(ms) });
    assert.equal(await limited.putFileRange!('X', new Uint8Array(28), range, new Uint8Array(40)), 1000);
    await limited.put('X2', Uint8Array.of(1));
    assert.deepEqual(waits, [69], 'charged 28 + 1000 + 40 bytes');
    const crashing = new FaultyStore(local, { seed: 1, crashAfterPuts: 1 });
    await crashing.putFileRange!('Y', new Uint8Array(0), range, new Uint8Array(0));
    await assert.rejects(crashing.putFileRange!('Z', new Uint8Array(0), range, new Uint8Array(0)), /crash/i);
    assert.equal(await local.head('Z'), undefined);
  } finally {
    await fh.close();
  }
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
