import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/memory-store.js';
import { FaultyStore, InjectedCrash, type FaultOptions } from '../../src/store/faulty-store.js';
import { StoreError } from '../../src/errors.js';

async function trace(options: FaultOptions): Promise<string[]> {
  const store = new FaultyStore(new MemoryStore(), options);
  const out: string[] = [];
  for (let i = 0; i < 200; i++) {
    try {
      await store.put(`B${i}`, Uint8Array.of(i & 255));
      out.push('ok');
    } catch (e) {
      out.push(e instanceof StoreError ? `${e.status ?? e.data.serviceCode}:${e.retryable}` : String(e));
    }
  }
  return out;
}

describe('FaultyStore', () => {
  const opts = { p500: 0.1, p503: 0.1, p429: 0.1, pReset: 0.1 };

  it('is reproducible: the same seed gives the same faults, another seed different ones', async () => {
    const a = await trace({ seed: 42, ...opts });
    assert.deepEqual(await trace({ seed: 42, ...opts }), a);
    assert.notDeepEqual(await trace({ seed: 43, ...opts }), a);
    const kinds = new Set(a);
    for (const k of ['ok', '500:true', '503:true', '429:true', 'ECONNRESET:true']) assert.ok(kinds.has(k), `no ${k} in 200 calls`);
  });

  it('429s carry Retry-After; resets on writes sometimes land', async () => {
    const inner = new MemoryStore();
    const store = new FaultyStore(inner, { seed: 7, p429: 0.3, pReset: 0.5, retryAfterMs: 1234 });
    let landedDespiteError = 0;
    let errors = 0;
    for (let i = 0; i < 100; i++) {
      try {
        await store.put(`B${i}`, Uint8Array.of(1));
      } catch (e) {
        errors++;
        assert.ok(e instanceof StoreError);
        if (e.status === 429) assert.equal(e.data.retryAfterMs, 1234);
        else if (await inner.head(`B${i}`)) landedDespiteError++;
      }
    }
    assert.ok(landedDespiteError > 0, 'no ambiguous write was simulated');
    assert.equal(store.injected['429'] + store.injected.reset, errors);
    assert.ok(errors > 0 && errors < 100);
  });

  it('fails chosen operations and names, a given number of times', async () => {
    const store = new FaultyStore(new MemoryStore(), { seed: 1, rules: [{ op: 'get', name: 'X', times: 2 }, { op: 'delete', name: (n) => n.startsWith('tmp') }] });
    await store.put('X', Uint8Array.of(1));
    await assert.rejects(store.get('X'), StoreError);
    await assert.rejects(store.get('X'), StoreError);
    assert.deepEqual([...(await store.get('X'))], [1]);
    await assert.rejects(store.delete('tmpROOT'), StoreError);
    assert.equal(await store.delete('other'), false);
  });

  it('crashes after N puts and stays dead', async () => {
    const inner = new MemoryStore();
    const store = new FaultyStore(inner, { seed: 1, crashAfterPuts: 3 });
    for (let i = 0; i < 3; i++) await store.put(`B${i}`, Uint8Array.of(i));
    await assert.rejects(store.put('B3', Uint8Array.of(3)), InjectedCrash);
    await assert.rejects(store.get('B0'), InjectedCrash);
    assert.equal(inner.size, 3);
    assert.equal(store.injected.crash, 1);
  });

  it('stalls are counted and never fail the call', async () => {
    const inner = new MemoryStore();
    const store = new FaultyStore(inner, { seed: 3, pStall: 1, stallMs: 20 });
    for (let i = 0; i < 5; i++) await store.put(`B${i}`, Uint8Array.of(1));
    assert.equal(store.injected.stall, 5);
    assert.equal(inner.size, 5);
  });
});
