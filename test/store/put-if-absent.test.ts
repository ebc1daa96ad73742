/** putIfAbsent through the retrying wrapper: a create whose answer was lost is not a conflict; a real conflict still is. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/memory-store.js';
import { RetryingStore } from '../../src/store/retrying-store.js';
import { VolatileStore } from '../helpers/volatile-store.js';
import { storeError } from '../../src/store/store-errors.js';
import { runBlobStoreConformance } from './conformance.js';

const noSleep = { sleep: async () => undefined };

/** A memory store whose next `lose` creates land and then fail like a reset connection (the answer is lost). */
function losingAnswers(lose: number, landFirst = true): { store: MemoryStore; creates: () => number } {
  const store = new MemoryStore();
  const create = store.putIfAbsent.bind(store);
  let creates = 0;
  store.putIfAbsent = async (name, data, signal) => {
    creates++;
    if (lose > 0) {
      lose--;
      if (landFirst) await create(name, data, signal);
      throw storeError('CLFS_STORE_UNAVAILABLE', `${name}: connection reset`, { blob: name, retryable: true });
    }
    return create(name, data, signal);
  };
  return { store, creates: () => creates };
}

test('a retried create whose first try landed (answer lost) reports true, not a conflict', async () => {
  const { store, creates } = losingAnswers(2);
  const retrying = new RetryingStore(store, noSleep);
  assert.equal(await retrying.putIfAbsent('B', Buffer.from('bucket with our uuid')), true);
  assert.equal(creates(), 3);
  assert.equal(Buffer.from(await store.get('B')).toString(), 'bucket with our uuid');
});

test('a retried create that finds another writer\'s blob reports false and leaves it', async () => {
  const { store } = losingAnswers(1, false);
  await store.put('B', Buffer.from('another job'));
  const retrying = new RetryingStore(store, noSleep);
  assert.equal(await retrying.putIfAbsent('B', Buffer.from('our job')), false);
  assert.equal(Buffer.from(await store.get('B')).toString(), 'another job');
});

test('a create that fails before landing and then succeeds reports true; a taken name at the first try reports false', async () => {
  const { store } = losingAnswers(1, false);
  const retrying = new RetryingStore(store, noSleep);
  assert.equal(await retrying.putIfAbsent('B', Buffer.from('x')), true);
  assert.equal(await retrying.putIfAbsent('B', Buffer.from('x')), false, 'no retry happened: the same bytes are still a conflict');
});

// the power-loss tests' store keeps the contract too
runBlobStoreConformance('volatile (test helper)', async () => VolatileStore.boot(), { manyCount: 1200 });
