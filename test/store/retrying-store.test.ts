import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/memory-store.js';
import { RetryingStore, type RetryEvent } from '../../src/store/retrying-store.js';
import { FaultyStore } from '../../src/store/faulty-store.js';
import { sleep, storeError } from '../../src/store/store-errors.js';
import { AbortedError, StoreError } from '../../src/errors.js';

const fakeSleep = (log: number[]) => async (ms: number) => void log.push(ms);

describe('RetryingStore', () => {
  it('retries retryable errors with growing, jittered backoff and counts them', async () => {
    const inner = new FaultyStore(new MemoryStore(), { seed: 1, rules: [{ op: 'put', times: 4 }] });
    const delays: number[] = [];
    const events: RetryEvent[] = [];
    const store = new RetryingStore(inner, { baseDelayMs: 100, random: () => 0.999, sleep: fakeSleep(delays), onRetry: (e) => events.push(e) });
    await store.put('A', Uint8Array.of(7));
    assert.deepEqual([...(await inner.get('A'))], [7]);
    assert.equal(store.retries, 4);
    assert.deepEqual(delays, [99, 199, 399, 799]);
    assert.deepEqual(events.map((e) => [e.op, e.blob, e.attempt]), [['put', 'A', 1], ['put', 'A', 2], ['put', 'A', 3], ['put', 'A', 4]]);
  });

  it('waits at least Retry-After', async () => {
    const inner = new FaultyStore(new MemoryStore(), { seed: 1, p429: 1, retryAfterMs: 7000, ops: ['get'] });
    const delays: number[] = [];
    const store = new RetryingStore(inner, { random: () => 0, sleep: fakeSleep(delays), maxAttempts: 3 });
    await assert.rejects(store.get('A'), (e: unknown) => e instanceof StoreError && e.code === 'CLFS_STORE_THROTTLED');
    assert.deepEqual(delays, [7000, 7000]);
  });

  it('never retries 403, 404, 409 or non-retryable errors', async () => {
    for (const [code, status] of [['CLFS_STORE_AUTH', 403], ['CLFS_STORE_NOT_FOUND', 404], ['CLFS_STORE_IO', 409], ['CLFS_STORE_IO', 400]] as const) {
      let calls = 0;
      const inner = new FaultyStore(new MemoryStore(), { seed: 1, rules: [{ op: 'get', error: () => (calls++, storeError(code, 'x', { status, retryable: status === 409 })) }] });
      const store = new RetryingStore(inner, { sleep: async () => undefined });
      await assert.rejects(store.get('A'), (e: unknown) => e instanceof StoreError && e.code === code);
      assert.equal(calls, 1, `status ${status} was retried`);
      assert.equal(store.retries, 0);
    }
    const plain = new RetryingStore(new FaultyStore(new MemoryStore(), { seed: 1, rules: [{ error: () => new TypeError('bug') }] }));
    await assert.rejects(plain.head('A'), TypeError);
    assert.equal(plain.retries, 0);
  });

  it('stops after maxAttempts and when the time budget would be exceeded', async () => {
    const always = (): FaultyStore => new FaultyStore(new MemoryStore(), { seed: 1, p503: 1 });
    const a = new RetryingStore(always(), { maxAttempts: 4, sleep: async () => undefined });
    await assert.rejects(a.get('A'), StoreError);
    assert.equal(a.retries, 3);
    let now = 0;
    const b = new RetryingStore(always(), { maxAttempts: 100, baseDelayMs: 1000, maxDelayMs: 1000, maxElapsedMs: 5000, random: () => 0.9999, now: () => now, sleep: async (ms) => void (now += ms) });
    await assert.rejects(b.get('A'), StoreError);
    assert.equal(b.retries, 5);
  });

  it('aborts promptly during a backoff', async () => {
    // the real sleep, watched: the abort must end the first backoff while it is still running
    const backoffs: { ms: number; ended: boolean }[] = [];
    const watched = (ms: number, signal?: AbortSignal) => {
      const b = { ms, ended: false };
      backoffs.push(b);
      return sleep(ms, signal).then(() => void (b.ended = true));
    };
    const store = new RetryingStore(new FaultyStore(new MemoryStore(), { seed: 1, p503: 1 }), { baseDelayMs: 60_000, random: () => 0.99, sleep: watched });
    const ac = new AbortController();
    const got = store.get('A', ac.signal);
    while (backoffs.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    await assert.rejects(got, AbortedError);
    assert.equal(backoffs.length, 1, 'one backoff began');
    assert.ok(backoffs[0].ms > 10_000, `a long backoff (${backoffs[0].ms} ms)`);
    assert.equal(backoffs[0].ended, false, 'the abort ended it, not its timer');
    assert.equal(store.retries, 1);
  });

});
