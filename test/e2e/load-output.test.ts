/** What `clfsload load` prints: INFO lines, 2-second progress, the summary; and the same facts as JSON lines. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTree } from '../helpers/tree.js';
import { runCli } from '../helpers/load-run.js';

let tmp: string;
let src: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-output-'));
  src = path.join(tmp, 'bigfile');
  makeTree('bigfile', src);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

// 10.6 MB uncompressed at 24 Mb/s: ~3.5 s, so at least one 2-second progress report.
const slow = ['--compression-type', 'DISABLED', '--cap-mbps', '24'];

test('text output: configuration, phases, progress lines and the azcopy summary; --cap-mbps in the configuration', async () => {
  const r = await runCli(['load', src, path.join(tmp, 'text-dest'), '--state-path', path.join(tmp, 'text-state'), ...slow]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // the cap reaches the loader (the limiter itself is proven on a fake clock in rate-limited-store.test.ts)
  assert.ok(r.stdout.includes('INFO: capMbps: 24'), r.stdout);
  for (const line of ['INFO: compressionType: DISABLED', 'INFO: Phase INIT started', 'INFO: Phase TRANSFER started', 'INFO: Phase FINALIZE started']) {
    assert.ok(r.stdout.includes(line), line);
  }
  assert.match(r.stdout, /^\d+\.\d %, \d+ Done, \d+ Failed, \d+ Pending, 0 Skipped, \d+ Total, Throughput \(Mb\/s\): \d+\.\d\d$/m);
  const tail = r.stdout.trim().split('\n').slice(-7).map((l) => l.split(':')[0]);
  assert.deepEqual(tail, ['Elapsed Time (Minutes)', 'Total Number Of Transfers', 'Number of Transfers Completed', 'Number of Transfers Failed', 'Number of Transfers Skipped', 'TotalBytesTransferred', 'Final Job Status']);
  assert.match(r.stdout, /^TotalBytesTransferred: (\d+)$/m);
  const bytes = Number(/^TotalBytesTransferred: (\d+)$/m.exec(r.stdout)![1]);
  assert.ok(bytes > 10_588_160, `uncompressed blobs hold at least the 10,588,160 bytes of the tree (got ${bytes})`);
});

test('json output: one object per line, config, info, progress and final', async () => {
  const r = await runCli(['load', src, path.join(tmp, 'json-dest'), '--state-path', path.join(tmp, 'json-state'), '--output-type', 'json', ...slow]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const objs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const types = new Set(objs.map((o) => o.type));
  for (const t of ['config', 'info', 'progress', 'final']) assert.ok(types.has(t), t);
  const final = objs.at(-1)!;
  assert.equal(final.type, 'final');
  assert.equal(final.finalJobStatus, 'Completed');
  assert.equal(final.totalTransfers, 4);
  assert.equal(final.retries, 0);
  const progress = objs.find((o) => o.type === 'progress')!;
  for (const k of ['percent', 'done', 'failed', 'pending', 'skipped', 'total', 'throughputMbps']) assert.ok(k in progress, k);
});
