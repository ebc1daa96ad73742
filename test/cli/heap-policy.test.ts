import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAP_GROWING_PERCENT, heapPolicyFlag } from '../../src/cli/heap-policy.js';

test('the CLI caps old-generation growth unless the user chose a growth of their own', () => {
  assert.equal(heapPolicyFlag([], undefined), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapPolicyFlag(['--enable-source-maps'], '--max-old-space-size=512'), '--heap-growing-percent=100');
  assert.equal(heapPolicyFlag(['--heap-growing-percent=0'], undefined), undefined, 'node argument, V8 default asked for');
  assert.equal(heapPolicyFlag([], '--trace-gc  --heap_growing_percent=300'), undefined, 'NODE_OPTIONS, underscore spelling');
  assert.equal(heapPolicyFlag(['--heap-growing-percent', '50'], undefined), undefined, 'value as the next word');
});
