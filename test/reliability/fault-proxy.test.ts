/**
 * The fault proxy itself, and what AzureStore makes of each fault it injects: every kind is
 * classified right (retryable or not, Retry-After carried), a stall becomes a retryable timeout,
 * the same seed replays the same faults, and RetryingStore rides through a 30% fault rate.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AzureStore } from '../../src/store/azure-store.js';
import { RetryingStore } from '../../src/store/retrying-store.js';
import { StoreError } from '../../src/errors.js';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { startFaultProxy, type FaultProxy, type FaultRates } from '../helpers/fault-proxy.js';

let az: Azurite;
let containerUrl: string;
const proxies: FaultProxy[] = [];

before(async () => {
  az = await startAzurite();
  containerUrl = await az.createContainer('proxy-self-test');
  await new AzureStore(containerUrl).put('seed-blob', Buffer.from('hello through the proxy'));
});
after(async () => {
  for (const p of proxies) await p.close();
  await az?.stop();
});

async function proxy(seed: number, rates: FaultRates = {}, extra: { stallMs?: number } = {}): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: new URL(containerUrl).origin, seed, ...rates, ...extra });
  proxies.push(p);
  return p;
}

async function failureOf(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(() => assert.fail('expected a failure'), (e: unknown) => e);
  assert.ok(err instanceof StoreError, String(err));
  return err;
}

describe('fault proxy: each injected fault as AzureStore sees it', () => {
  test('500 and 503 are retryable CLFS_STORE_UNAVAILABLE with their status', async () => {
    for (const [rates, status] of [[{ p500: 1 }, 500], [{ p503: 1 }, 503]] as const) {
      const p = await proxy(1, rates);
      const err = await failureOf(new AzureStore(p.rewrite(containerUrl), { idleTimeoutMs: 5000 }).get('seed-blob'));
      assert.deepEqual([err.code, err.status, err.retryable], ['CLFS_STORE_UNAVAILABLE', status, true]);
    }
  });

  test('429 is throttling and carries the Retry-After the proxy sent', async () => {
    const p = await startFaultProxy({ target: new URL(containerUrl).origin, seed: 2, p429: 1, retryAfterSec: 2 });
    proxies.push(p);
    const err = await failureOf(new AzureStore(p.rewrite(containerUrl)).put('x', Buffer.from('y')));
    assert.deepEqual([err.code, err.status, err.retryable, err.data.retryAfterMs], ['CLFS_STORE_THROTTLED', 429, true, 2000]);
  });

  test('a connection reset is a retryable connection error; a reset after the write still wrote it', async () => {
    const p = await proxy(3, { pReset: 1 });
    const store = new AzureStore(p.rewrite(containerUrl), { idleTimeoutMs: 5000 });
    const direct = new AzureStore(containerUrl);
    let landed = 0;
    for (let i = 0; i < 12; i++) {
      const err = await failureOf(store.put(`reset-${i}`, Buffer.from(`v${i}`)));
      assert.deepEqual([err.code, err.retryable], ['CLFS_STORE_UNAVAILABLE', true]);
      if (await direct.head(`reset-${i}`)) landed++;
    }
    assert.equal(p.injected.reset, 12);
    assert.ok(landed > 0 && landed < 12, `resets before and after the write both happen (${landed}/12 landed)`);
  });

  test('a stalled request ends by the store timeout, as a retryable error', async () => {
    // the proxy holds a stalled request until the client gives up: only the store's idle timer can end it
    const p = await proxy(4, { pStall: 1 });
    const err = await failureOf(new AzureStore(p.rewrite(containerUrl), { idleTimeoutMs: 400 }).get('seed-blob'));
    assert.deepEqual([err.code, err.retryable], ['CLFS_STORE_UNAVAILABLE', true]);
    assert.match(err.message, /get timed out/);
    assert.deepEqual([p.requests, p.injected.stall], [1, 1], 'one request, stalled, given up on (not retried inside the store)');
  });

  test('a slow (trickled) body still arrives whole, in one request', async () => {
    const p = await startFaultProxy({ target: new URL(containerUrl).origin, seed: 5, pSlow: 1, slowChunkBytes: 4, slowDelayMs: 25 });
    proxies.push(p);
    const got = await new AzureStore(p.rewrite(containerUrl)).get('seed-blob');
    assert.equal(Buffer.from(got).toString(), 'hello through the proxy');
    assert.deepEqual([p.requests, p.injected.slow], [1, 1], 'one request, its body trickled, no retry needed');
  });

  test('refuseAll answers 403: CLFS_STORE_AUTH, not retried', async () => {
    const p = await proxy(6);
    p.refuseAll(true);
    const retrying = new RetryingStore(new AzureStore(p.rewrite(containerUrl)), { sleep: async () => undefined });
    const err = await failureOf(retrying.get('seed-blob'));
    assert.deepEqual([err.code, err.status, retrying.retries, p.requests], ['CLFS_STORE_AUTH', 403, 0, 1]);
    p.refuseAll(false);
    assert.equal(Buffer.from(await retrying.get('seed-blob')).toString(), 'hello through the proxy');
  });
});

describe('fault proxy: seeded and reproducible', () => {
  const rates = { p500: 0.15, p503: 0.15, p429: 0.1, pReset: 0.1 };

  async function outcomes(seed: number): Promise<string[]> {
    const p = await startFaultProxy({ target: new URL(containerUrl).origin, seed, ...rates, retryAfterSec: 0 });
    proxies.push(p);
    const store = new AzureStore(p.rewrite(containerUrl), { idleTimeoutMs: 5000 });
    const out: string[] = [];
    for (let i = 0; i < 40; i++) {
      // sequential, so the n-th request is always the same call
      out.push(await store.get('seed-blob').then(() => 'ok', (e: StoreError) => `${e.code}:${e.status ?? '-'}`));
    }
    return out;
  }

  test('the same seed gives the same fault sequence; another seed another one', async () => {
    const a = await outcomes(42);
    const b = await outcomes(42);
    const c = await outcomes(43);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.ok(a.includes('ok') && a.some((x) => x !== 'ok'), `a mix of faults and successes: ${a.join(' ')}`);
  });

  test('RetryingStore over the proxy at a 30% fault rate: every put and get succeeds, with retries', async () => {
    const p = await startFaultProxy({ target: new URL(containerUrl).origin, seed: 7, p500: 0.1, p503: 0.05, p429: 0.05, pReset: 0.05, pStall: 0.05, pSlow: 0.05, retryAfterSec: 0 });
    proxies.push(p);
    const store = new RetryingStore(new AzureStore(p.rewrite(containerUrl), { idleTimeoutMs: 2000 }), { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 12 });
    const names = Array.from({ length: 40 }, (_, i) => `r30-${i}`);
    await Promise.all(names.map((n) => store.put(n, Buffer.from(`payload ${n}`))));
    const got = await Promise.all(names.map(async (n) => Buffer.from(await store.get(n)).toString()));
    assert.deepEqual(got, names.map((n) => `payload ${n}`));
    assert.ok(store.retries >= 5, `retries ${store.retries}`);
    assert.ok((p.injected.stall ?? 0) > 0 && (p.injected.reset ?? 0) > 0, JSON.stringify(p.injected));
    await store.close();
  });
});
