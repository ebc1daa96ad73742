/**
 * Crash safety: the built CLI is SIGKILLed at seeded random points in every phase (a test-only
 * hook, CLFSLOAD_TEST_KILL_AT, kills at a named point) and at seeded random moments (a timer in
 * the parent), then resumed. Every container must end verify-clean with no warning (so no
 * orphan blob), and export must give back the source. Ctrl-C must stop with status Aborted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { compareTrees, makeTree, snapshotTree } from '../helpers/tree.js';
import { runCli, summaryField } from '../helpers/load-run.js';
import { mulberry32 as prng } from '../../src/util/seeded-random.js';

const SEED = Number(process.env.CLFS_RESUME_SEED ?? 20261126);

/** Named points (src/load ctx.hook calls) by phase, with how often a load of the test tree passes them. */
const POINTS: [phase: string, point: string, max: number][] = [
  ['INIT', 'after-bucket', 1],
  ['TRANSFER/scan', 'before-mark-scanned', 14],
  ['TRANSFER', 'file-segment', 6],
  ['TRANSFER', 'file-before-finish', 4],
  ['TRANSFER', 'before-inode', 43],
  ['TRANSFER', 'after-inode', 43],
  ['RECONCILE', 'reconciled-one', 4],
  ['CLEANUP', 'cleaned-one', 4],
  ['FINALIZE', 'before-root-publish', 1],
  ['FINALIZE', 'after-root-publish', 1],
];

describe('load resume after SIGKILL', { concurrency: 1 }, () => {
  const rand = prng(SEED);
  let tmp: string;
  let src: string;
  let az: Azurite;
  let kills = 0;
  const phasesKilled = new Set<string>();

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-resume-'));
    src = path.join(tmp, 'mix');
    makeTree('basic', path.join(src, 'basic'));
    makeTree('hardlinks', path.join(src, 'hl'));
    makeTree('bigfile', path.join(src, 'big'));
    az = await startAzurite();
  });
  after(async () => {
    await az?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const loadArgs = (dest: string, state: string) => ['load', src, dest, '--state-path', state, '--preserve-hardlinks=true', '--output-type', 'json'];

  async function finishAndCheck(dest: string, state: string, extra: string[] = []): Promise<void> {
    const done = await runCli([...loadArgs(dest, state), ...extra]);
    assert.equal(done.code, 0, done.stdout + done.stderr);
    const final = JSON.parse(done.stdout.trim().split('\n').at(-1)!) as { finalJobStatus: string; totalTransfers: number; transfersCompleted: number };
    assert.equal(final.finalJobStatus, 'Completed');
    assert.equal(final.transfersCompleted, final.totalTransfers);
    const verify = await runCli(['verify', dest, '--output-type', 'json']);
    const report = JSON.parse(verify.stdout) as { errors: number; warnings: number; findings: unknown[] };
    assert.deepEqual(report.findings, [], 'verify finds nothing: no error, no unreferenced (orphan) blob');
    assert.equal(verify.code, 0);
    const out = path.join(tmp, 'export', path.basename(state));
    const exp = await runCli(['export', dest, out]);
    assert.equal(exp.code, 0, exp.stdout + exp.stderr);
    assert.deepEqual(compareTrees(snapshotTree(src), snapshotTree(out), { hardlinks: 'preserve' }), []);
  }

  // Kill plans are drawn up front, so the scenarios can run side by side and stay reproducible.
  // Scenario i kills first at point i (so every phase is hit), then once or twice more at seeded
  // random points, resuming in between.
  const plans = POINTS.map((first) => [first, ...[0, 1].slice(0, 1 + Math.floor(rand() * 2)).map(() => POINTS[Math.floor(rand() * POINTS.length)])]);
  const plannedN = plans.map((picks) => picks.map(([, , max]) => 1 + Math.floor(rand() * max)));
  const delays = [0, 1, 2, 3].map(() => [0, 1].map(() => 150 + Math.floor(rand() * 600)));

  describe('kills', { concurrency: 3 }, () => {
    plans.forEach((picks, i) => {
      test(`named kill points, scenario ${i} (seed ${SEED})`, async () => {
        const dest = i % 4 === 3 ? await az.createContainer(`resume-${i}`) : path.join(tmp, `dest-${i}`);
        const state = path.join(tmp, `state-${i}`);
        for (const [k, [phase, point]] of picks.entries()) {
          const r = await runCli(loadArgs(dest, state), { env: { CLFSLOAD_TEST_KILL_AT: `${point}:${plannedN[i][k]}` } });
          if (r.signal === 'SIGKILL') {
            kills++;
            phasesKilled.add(phase);
          } else {
            // The point was not reached again on this resume (e.g. its phase was already over).
            assert.equal(r.code, 0, r.stdout + r.stderr);
          }
        }
        await finishAndCheck(dest, state);
      });
    });

    delays.forEach((ds, i) => {
      test(`timed kill, scenario ${i} (seed ${SEED})`, async () => {
        const dest = path.join(tmp, `timed-dest-${i}`);
        const state = path.join(tmp, `timed-state-${i}`);
        for (const delay of ds) {
          const r = await runCli(loadArgs(dest, state), { onSpawn: (child) => setTimeout(() => child.kill('SIGKILL'), delay) });
          if (r.signal === 'SIGKILL') kills++;
        }
        await finishAndCheck(dest, state);
      });
    });
  });

  test('enough kills happened, in every phase', () => {
    assert.ok(kills >= 20, `${kills} kills`);
    for (const phase of ['INIT', 'TRANSFER/scan', 'TRANSFER', 'RECONCILE', 'CLEANUP', 'FINALIZE']) {
      assert.ok(phasesKilled.has(phase), `a kill in ${phase} (seed ${SEED}; killed in ${[...phasesKilled].join(', ')})`);
    }
  });

  test('Ctrl-C stops with status Aborted, exit 130, and the job resumes', async () => {
    const dest = path.join(tmp, 'sigint-dest');
    const state = path.join(tmp, 'sigint-state');
    // Uncompressed and capped at 16 Mb/s, the 10 MiB tree takes ~5 s: long enough to interrupt.
    const noLz4 = ['--compression-type', 'DISABLED'];
    const r = await runCli([...loadArgs(dest, state).filter((a) => a !== '--output-type' && a !== 'json'), ...noLz4, '--cap-mbps', '16'], {
      // Interrupt once TRANSFER has begun (not on a timer: a slow start must not race the handler).
      onSpawn: (child) => {
        let sent = false;
        child.stdout!.on('data', (d: Buffer) => {
          if (!sent && d.toString().includes('Phase TRANSFER started')) {
            sent = true;
            setTimeout(() => child.kill('SIGINT'), 300);
          }
        });
      },
    });
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.equal(summaryField(r.stdout, 'Final Job Status'), 'Aborted');
    assert.match(r.stdout, /Interrupted/);
    await finishAndCheck(dest, state, noLz4);
  });
});
