/** runCli: a run past its time limit is a failure of its own, never mistaken for a planned SIGKILL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliTimeout, runCli } from './load-run.js';

// Blocks the CLI's main thread before it does anything: a wedged loader that never exits.
const hang = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=data:text/javascript,Atomics.wait(new%20Int32Array(new%20SharedArrayBuffer(4)),0,0)`.trim() };

test('a CLI that hangs past its time limit rejects with CliTimeout (a crash test cannot read it as its planned kill)', async () => {
  const args = ['load', '/nonexistent', 'https://acct.blob.core.windows.net/c?sv=1&sig=SECRETSIG', '--state-path', '/nonexistent-state'];
  const err = await runCli(args, { env: hang, timeoutMs: 1500 }).then(
    (r) => assert.fail(`resolved as if it ended by itself: ${JSON.stringify({ code: r.code, signal: r.signal })}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CliTimeout, String(err));
  assert.equal(err.timeoutMs, 1500);
  assert.match(err.message, /still running after 1500 ms/);
  assert.ok(!err.message.includes('SECRETSIG'), 'the SAS signature is not shown');
});

test('a kill the test sends itself still resolves, with its signal', async () => {
  const r = await runCli(['--version'], { env: hang, onSpawn: (child) => child.kill('SIGKILL') });
  assert.equal(r.signal, 'SIGKILL');
  assert.equal(r.code, null);
});

test('a run that ends by itself resolves with its exit code', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.signal, null);
});
