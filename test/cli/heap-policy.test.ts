import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, heapPolicyFlag } from '../../src/cli/heap-policy.js';

test('the CLI caps old-generation growth unless node was given a growth of its own', () => {
  assert.equal(heapPolicyFlag([]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapPolicyFlag(['--enable-source-maps', '--max-old-space-size=512']), '--heap-growing-percent=100');
  assert.equal(heapPolicyFlag(['--heap-growing-percent=0']), undefined, 'V8 default asked for');
  assert.equal(heapPolicyFlag(['--heap_growing_percent=300']), undefined, 'underscore spelling');
  assert.equal(heapPolicyFlag(['--heap-growing-percent', '50']), undefined, 'value as the next word');
});

test('node itself accepts the flag the policy sets (a V8 that dropped it would fail here, not silently)', () => {
  const out = execFileSync(process.execPath, [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
  assert.equal(out, 'ok');
});
