/**
 * Crashes the loader where test/e2e/load-resume.test.ts (named hook points, timed kills) cannot:
 * inside a state-database transaction (after its writes, before COMMIT; via the chaos preload), at
 * seeded transaction numbers spread over the whole job, twice per job: the second kill is drawn
 * from the transactions the resume itself runs (counted by a pass that is then undone), and both
 * kills must land. Each resumed job must end
 * equal to an uninterrupted load of the same tree: the same transfer count, the same container
 * shape (objects by kind and version, bucket keys), verify finding nothing (no orphan, tmp or
 * in-progress blob), and an export equal to the source. Also checks what a crash during FINALIZE
 * leaves: before the root is published the container reads as unfinished, never as finished.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeTree } from '../helpers/tree.js';
import { storeNames, storeShape, type ContainerShape } from '../helpers/load-container.js';
import { summaryField } from '../helpers/load-run.js';
import { openStore } from '../../src/store/open-store.js';
import { TMP_ROOT_NAME, openBlob, rootName } from '../../src/format/index.js';
import { addSmallFiles, assertExportEquals, assertVerifyClean, chaosEnv, runCli, tempDir, verify } from './rel-helpers.js';
import { mulberry32 as prng } from '../../src/util/seeded-random.js';
import { independentDiff } from '../helpers/independent-walk.js';

const SEED = Number(process.env.CLFS_CRASH_SEED ?? 4242);

function comparable(s: ContainerShape) {
  return { byBtype: s.byBtype, byVersion: s.byVersion, v1: s.v1, tmp: s.tmp, inProgress: s.inProgress, bucketKeys: s.bucketKeys };
}

describe('SIGKILL inside state-database transactions', { concurrency: 1 }, () => {
  const rand = prng(SEED);
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  let baseline: { shape: ContainerShape; total: string | undefined; transactions: number };
  const args = (dest: string, state: string) => ['load', src, dest, '--state-path', state, '--preserve-hardlinks=true'];

  before(async () => {
    tmp = tempDir('crash');
    src = path.join(tmp.dir, 'crashy');
    makeTree('basic', path.join(src, 'basic'));
    makeTree('hardlinks', path.join(src, 'hl'));
    addSmallFiles(src, 120);
    const dest = path.join(tmp.dir, 'baseline');
    const countFile = path.join(tmp.dir, 'txn-count');
    const r = await runCli(args(dest, path.join(tmp.dir, 'baseline-state')), { env: chaosEnv({ CLFS_CHAOS_TXN_COUNT: countFile }) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    baseline = { shape: await storeShape(openStore(dest)), total: summaryField(r.stdout, 'Total Number Of Transfers'), transactions: Number(readFileSync(countFile, 'utf8')) };
    assert.ok(baseline.transactions >= 10, `an uninterrupted load runs ${baseline.transactions} transactions`);
  });
  after(() => tmp?.cleanup());

  /**
   * How many transactions resuming the job in `dest`/`state` runs: a counting pass on the job as
   * it is, which is then put back byte for byte (the state is bound to these paths, so the pass
   * cannot run on a copy elsewhere).
   */
  async function resumeTransactions(dest: string, state: string, label: string): Promise<number> {
    const keep = path.join(tmp.dir, `${label}-keep`);
    cpSync(dest, path.join(keep, 'dest'), { recursive: true });
    cpSync(state, path.join(keep, 'state'), { recursive: true });
    const countFile = path.join(tmp.dir, `${label}-txn-count`);
    const r = await runCli(args(dest, state), { env: chaosEnv({ CLFS_CHAOS_TXN_COUNT: countFile }) });
    assert.equal(r.code, 0, `counting pass: ${r.stdout}${r.stderr}`);
    for (const [from, to] of [[path.join(keep, 'dest'), dest], [path.join(keep, 'state'), state]]) {
      rmSync(to, { recursive: true, force: true });
      renameSync(from, to);
    }
    return Number(readFileSync(countFile, 'utf8'));
  }

  // Four jobs; job i is first killed in the i-th quarter of the transactions, then its resume again at a seeded one of its own.
  for (let i = 0; i < 4; i++) {
    test(`job ${i}: killed inside two transactions, resumed, equal to an uninterrupted load (seed ${SEED})`, async (t) => {
      const T = baseline.transactions;
      // within the first 90%: a run's transaction count varies by one or two (batches close on a timer)
      const first = 1 + Math.floor(((i + rand()) / 4) * 0.9 * T);
      const dest = path.join(tmp.dir, `dest-${i}`);
      const state = path.join(tmp.dir, `state-${i}`);
      const killed = await runCli(args(dest, state), { env: chaosEnv({ CLFS_CHAOS_KILL_IN_TXN: String(first) }) });
      assert.equal(killed.signal, 'SIGKILL', `killed in transaction ${first} of ${T}: ${killed.stdout}${killed.stderr}`);
      // the database survives the kill: SQLite rolls the open transaction back
      const db = new Database(path.join(state, 'clfsload.db'), { readonly: true });
      assert.equal(db.pragma('quick_check', { simple: true }), 'ok');
      db.close();
      // The second kill is drawn from the resume's own transactions (not the whole job's, most of
      // which the resume skips), two short of its count for the same timer jitter.
      const R = await resumeTransactions(dest, state, `job-${i}`);
      assert.ok(R >= 3, `the resume runs ${R} transactions`);
      const second = 1 + Math.floor(rand() * (R - 2));
      const again = await runCli(args(dest, state), { env: chaosEnv({ CLFS_CHAOS_KILL_IN_TXN: String(second) }) });
      t.diagnostic(`killed in transaction ${first} of ${T}, then its resume in ${second} of ${R}`);
      assert.equal(again.signal, 'SIGKILL', `the resume was killed in transaction ${second} of its ${R}: ${again.stdout}${again.stderr}`);
      const done = await runCli(args(dest, state));
      assert.equal(done.code, 0, done.stdout + done.stderr);
      assert.equal(summaryField(done.stdout, 'Final Job Status'), 'Completed');
      assert.equal(summaryField(done.stdout, 'Total Number Of Transfers'), baseline.total);
      assert.deepEqual(comparable(await storeShape(openStore(dest))), comparable(baseline.shape));
      // listings hide the local store's temp files, so look at the directory itself
      assert.deepEqual(readdirSync(dest).filter((f) => f.startsWith('.')), [], 'no temp file left');
      await assertVerifyClean(dest);
      await assertExportEquals(dest, src, tmp.dir, { hardlinks: 'preserve' });
      assert.deepEqual(await independentDiff(dest, src, { hardlinks: 'preserve' }), [], 'the codec-only walk equals the source');
    });
  }

  test('killed mid-write of a new blob, then while replacing it through a temp file: the resume rewrites it, no temp file is left', async () => {
    const dest = path.join(tmp.dir, 'dest-rename');
    const state = path.join(tmp.dir, 'state-rename');
    // A new blob is written straight to its name: the kill leaves half of it there.
    const cut = await runCli(args(dest, state), { env: chaosEnv({ CLFS_CHAOS_KILL_AT_WRITE: '30' }) });
    assert.equal(cut.signal, 'SIGKILL', cut.stdout + cut.stderr);
    // The resume finds those names taken and replaces them through temp files; kill it at one of the renames.
    const killed = await runCli(args(dest, state), { env: chaosEnv({ CLFS_CHAOS_KILL_AT_RENAME: '1' }) });
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
    assert.ok(readdirSync(dest).some((f) => f.startsWith('.clfs-tmp')), 'the kill left a temp file');
    const done = await runCli(args(dest, state));
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.deepEqual(readdirSync(dest).filter((f) => f.startsWith('.')), [], 'no temp file is left in the container');
    assert.deepEqual(comparable(await storeShape(openStore(dest))), comparable(baseline.shape));
    await assertVerifyClean(dest);
  });

  test('killed mid-write, then the files it was writing are gone: their leftover inodes and segments are removed, no orphan stays', async () => {
    const own = path.join(tmp.dir, 'vanishing');
    addSmallFiles(own, 120);
    const dest = path.join(tmp.dir, 'dest-vanishing');
    const state = path.join(tmp.dir, 'state-vanishing');
    // Each put worker writes up to 29 inodes whole, and one of them its 30th in part.
    const cut = await runCli(['load', own, dest, '--state-path', state], { env: chaosEnv({ CLFS_CHAOS_KILL_AT_WRITE: '30' }) });
    assert.equal(cut.signal, 'SIGKILL', cut.stdout + cut.stderr);
    const files = readdirSync(own, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const f of files) rmSync(path.join(f.parentPath, f.name));
    const done = await runCli(['load', own, dest, '--state-path', state, '--max-errors', '0']);
    assert.equal(summaryField(done.stdout, 'Final Job Status'), 'CompletedWithErrors', done.stdout + done.stderr);
    // The failed entries stay in their directories as dangling names (as the reference leaves
    // them); what must not stay is an inode blob of theirs, whole (an orphan) or in part (corrupt).
    const v = await verify(dest);
    assert.equal(v.report.errors, 0, JSON.stringify(v.report.findings.filter((f) => f.severity === 'error')));
    assert.deepEqual(Object.keys(v.report.codes).sort(), ['VERIFY_DANGLING', 'VERIFY_PROBLEMS_FILE']);
    assert.ok(v.report.codes.VERIFY_DANGLING >= 1 && v.report.codes.VERIFY_DANGLING <= files.length, JSON.stringify(v.report.codes));
  });

  test('killed in FINALIZE before the root is published: the container reads as unfinished, never finished', async () => {
    const dest = path.join(tmp.dir, 'dest-before-publish');
    const state = path.join(tmp.dir, 'state-before-publish');
    const killed = await runCli(args(dest, state), { env: { CLFSLOAD_TEST_KILL_AT: 'before-root-publish:1' } });
    assert.equal(killed.signal, 'SIGKILL');
    const names = await storeNames(openStore(dest));
    assert.ok(names.includes(TMP_ROOT_NAME) && !names.includes(rootName(9)), 'only the tmp root exists');
    const v = await verify(dest);
    assert.equal(v.code, 1);
    assert.ok(v.report.codes.VERIFY_NOT_FINALIZED >= 1, JSON.stringify(v.report.codes));
    const done = await runCli(args(dest, state));
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.deepEqual(comparable(await storeShape(openStore(dest))), comparable(baseline.shape));
    await assertVerifyClean(dest);
  });

  test('killed in FINALIZE between copying the root and deleting its tmp name: the resume deletes it', async () => {
    const dest = path.join(tmp.dir, 'dest-after-publish');
    const state = path.join(tmp.dir, 'state-after-publish');
    const killed = await runCli(args(dest, state), { env: { CLFSLOAD_TEST_KILL_AT: 'after-root-publish:1' } });
    assert.equal(killed.signal, 'SIGKILL');
    const names = await storeNames(openStore(dest));
    assert.ok(names.includes(TMP_ROOT_NAME) && names.includes(rootName(9)), 'both root names exist at that moment');
    const payload = (name: string) => Buffer.from(openBlob(new Uint8Array(readFileSync(path.join(dest, name))), name).payload);
    assert.ok(payload(rootName(9)).equals(payload(TMP_ROOT_NAME)), 'the published root is a copy of the tmp root');
    const done = await runCli(args(dest, state));
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.equal(summaryField(done.stdout, 'Total Number Of Transfers'), baseline.total);
    const after = await storeNames(openStore(dest));
    assert.ok(!after.includes(TMP_ROOT_NAME) && after.includes(rootName(9)));
    assert.deepEqual(comparable(await storeShape(openStore(dest))), comparable(baseline.shape));
    await assertVerifyClean(dest);
    await assertExportEquals(dest, src, tmp.dir, { hardlinks: 'preserve' });
    assert.deepEqual(await independentDiff(dest, src, { hardlinks: 'preserve' }), [], 'the codec-only walk equals the source');
  });
});
