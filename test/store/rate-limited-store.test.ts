import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/memory-store.js';
import { MAX_TIMER_MS, RateLimitedStore } from '../../src/store/rate-limited-store.js';
import { AbortedError } from '../../src/errors.js';

/** A fake clock: sleeping advances time instantly. */
function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 1_000_000;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)), slept };
}

describe('RateLimitedStore', () => {
  it('caps uploads at capMbps megabits per second (long-run rate)', async () => {
    const c = clock();
    const store = new RateLimitedStore(new MemoryStore(), { capMbps: 8, now: c.now, sleep: c.sleep }); // 1,000,000 B/s
    const start = c.now();
    for (let i = 0; i < 10; i++) await store.put(`B${i}`, new Uint8Array(500_000));
    // 5 MB at 1 MB/s with a 1 MB initial burst: 4 s
    assert.equal(c.now() - start, 4000);
    await store.get('B0'); // reads are not limited
    assert.equal(c.now() - start, 4000);
  });

  it('lets blobs larger than the bucket through, paying the debt afterwards', async () => {
    const c = clock();
    const store = new RateLimitedStore(new MemoryStore(), { capMbps: 8, now: c.now, sleep: c.sleep });
    const start = c.now();
    await store.put('BIG', new Uint8Array(3_000_000));
    await store.put('NEXT', new Uint8Array(1));
    assert.ok(Math.abs(c.now() - start - 2000) <= 1, `waited ${c.now() - start} ms`);
  });

  it('serves concurrent puts in order and limits them together', async () => {
    const c = clock();
    const store = new RateLimitedStore(new MemoryStore(), { capMbps: 8, burstSeconds: 0.1, now: c.now, sleep: c.sleep }); // 100 kB burst at 1 MB/s
    const start = c.now();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 4 }, (_, i) => store.put(`C${i}`, new Uint8Array(50_000)).then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3]);
    // 200 kB: the burst lets two through, the third and fourth each wait for 50 kB of tokens (50 ms)
    assert.deepEqual(c.slept, [50, 50]);
    assert.equal(c.now() - start, 100);
  });

  it('a waiting put can be aborted and rejects non-positive caps', async () => {
    const store = new RateLimitedStore(new MemoryStore(), { capMbps: 0.008, burstSeconds: 1 }); // 1 kB/s
    await store.put('A', new Uint8Array(1000));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(store.put('B', new Uint8Array(1000), ac.signal), AbortedError);
    assert.throws(() => new RateLimitedStore(new MemoryStore(), { capMbps: 0 }), RangeError);
  });
});

describe('RateLimitedStore at absurdly low rates', () => {
  it('never asks for a timer delay beyond 2^31-1 ms, and still holds the put back', async () => {
    // 1e-300 Mbit/s: the wait for the second blob is ~10^304 ms. setTimeout turns any delay above
    // 2^31-1 ms into 1 ms (with a TimeoutOverflowWarning), which disabled the cap.
    let t = 0;
    const slept: number[] = [];
    const ac = new AbortController();
    const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
      slept.push(ms);
      t += ms;
      if (slept.length === 3) ac.abort();
      if (signal?.aborted) throw new AbortedError();
    };
    const inner = new MemoryStore();
    const store = new RateLimitedStore(inner, { capMbps: 1e-300, now: () => t, sleep });
    await store.put('A', new Uint8Array(1000)); // the first blob goes at once (the full bucket, then debt)
    await assert.rejects(store.put('B', new Uint8Array(1000), ac.signal), AbortedError);
    assert.equal(slept.length, 3, 'it kept waiting, step by step');
    for (const ms of slept) assert.ok(ms >= 1 && ms <= MAX_TIMER_MS, `delay ${ms} within 1..2^31-1 ms`);
    assert.equal(await inner.head('B'), undefined, 'the second blob was never sent');
  });

  it('rejects a cap that is not a finite positive number', () => {
    for (const capMbps of [Number.NaN, Number.POSITIVE_INFINITY, -1, 0]) {
      assert.throws(() => new RateLimitedStore(new MemoryStore(), { capMbps }), RangeError, String(capMbps));
    }
  });
});
