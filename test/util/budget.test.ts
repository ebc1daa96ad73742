import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Budget, withBudget } from '../../src/util/budget.js';

test('the budget admits requests in order and never exceeds its capacity', async () => {
  const b = new Budget(10);
  const order: string[] = [];
  await b.acquire(6);
  const big = b.acquire(6).then((n) => { order.push('big'); return n; });
  const small = b.acquire(1).then((n) => { order.push('small'); return n; });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [], 'FIFO: the small request waits behind the big one');
  b.release(6);
  assert.equal(await big, 6);
  assert.equal(await small, 1);
  assert.deepEqual(order, ['big', 'small']);
  assert.equal(b.inUse, 7);
});

test('a request larger than the capacity is clamped so it can run alone', async () => {
  const b = new Budget(4);
  assert.equal(await b.acquire(100), 4);
  b.release(4);
  let peak = 0;
  await Promise.all(Array.from({ length: 20 }, () => withBudget(b, 1, async () => {
    peak = Math.max(peak, b.inUse);
    await new Promise((r) => setTimeout(r, 1));
  })));
  assert.equal(peak, 4);
  assert.equal(b.inUse, 0);
});
