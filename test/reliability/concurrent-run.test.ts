/**
 * The same load started twice at once (a second terminal, a cron job firing while the last run
 * still goes on) must not have two writers on one job: before the fix both "Completed" and the
 * container held 600 duplicate entries and 600 unreferenced inodes. The second run is refused with
 * exit 4 while the first holds the state dir; the first completes clean; and a lock never outlives
 * its process (after a SIGKILL the next run takes the job over at once).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { summaryField } from '../helpers/load-run.js';
import { assertExportEquals, assertVerifyClean, runCli, tempDir } from './rel-helpers.js';

describe('two runs of one job at once', { concurrency: 1 }, () => {
  let tmp: { dir: string; cleanup: () => void };
  let src: string;

  before(() => {
    tmp = tempDir('concurrent');
    src = path.join(tmp.dir, 'tree');
    for (let d = 0; d < 10; d++) {
      mkdirSync(path.join(src, `d${d}`), { recursive: true });
      for (let f = 0; f < 40; f++) writeFileSync(path.join(src, `d${d}`, `f${f}`), Buffer.alloc(5000 + f, `${d}/${f}`));
    }
  });
  after(() => tmp?.cleanup());

  /** Starts a load and resolves once its state database exists (the job is under way). */
  function startFirst(dest: string, state: string, extra: string[] = []): { done: ReturnType<typeof runCli>; started: Promise<ChildProcess> } {
    let child!: ChildProcess;
    const done = runCli(['load', src, dest, '--state-path', state, ...extra], { onSpawn: (c) => (child = c) });
    const started = new Promise<ChildProcess>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (existsSync(path.join(dest, '00000063_00000000000000000000000000000063.00000000009.FFFFFFFF.0001'))) {
          clearInterval(poll);
          resolve(child);
        } else if (Date.now() - t0 > 20_000) {
          clearInterval(poll);
          reject(new Error('the first run never wrote its bucket object'));
        }
      }, 10);
    });
    return { done, started };
  }

  test('a second run while the first holds the state dir is refused (exit 4); the first completes clean', async () => {
    const dest = path.join(tmp.dir, 'dest');
    const state = path.join(tmp.dir, 'state');
    // capped so that the first run is still going when the second starts (~2 MB at 4 Mb/s)
    const first = startFirst(dest, state, ['--cap-mbps', '4', '--compression-type', 'DISABLED']);
    await first.started;
    const second = await runCli(['load', src, dest, '--state-path', state, '--cap-mbps', '4', '--compression-type', 'DISABLED']);
    const one = await first.done;
    assert.equal(one.code, 0, one.stdout + one.stderr);
    assert.equal(second.code, 4, second.stdout + second.stderr);
    const lines = second.stderr.trim().split('\n');
    assert.equal(lines.length, 1, second.stderr);
    assert.match(lines[0], /in use by another clfsload.*\[CLFS_STATE_BUSY\]/);
    assert.ok(lines[0].includes(state));
    assert.equal(summaryField(one.stdout, 'Final Job Status'), 'Completed');
    await assertVerifyClean(dest);
    await assertExportEquals(dest, src, tmp.dir);
  });

  test('the lock dies with its process: after a SIGKILL the next run takes the job over', async () => {
    const dest = path.join(tmp.dir, 'dest-killed');
    const state = path.join(tmp.dir, 'state-killed');
    const first = startFirst(dest, state, ['--cap-mbps', '4', '--compression-type', 'DISABLED']);
    (await first.started).kill('SIGKILL');
    assert.equal((await first.done).signal, 'SIGKILL');
    const next = await runCli(['load', src, dest, '--state-path', state, '--compression-type', 'DISABLED']);
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stdout, /Resuming load/);
    await assertVerifyClean(dest);
  });
});
