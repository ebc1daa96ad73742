/**
 * Power losses against a destination that is durable only after sync() (a local directory), in
 * process: the loader runs against a VolatileStore, the power is cut at a seeded point (during
 * the load or after it reported Completed), the blobs changed since the last sync come back old,
 * new or torn, and the job database keeps everything it had committed at the cut (the worst case
 * for it: rows say done for blobs the disk lost). The same command on the rebooted machine must end equal to
 * an uninterrupted load. A control shows the test can fail: the same loss without a reboot (the
 * loader then has no reason to doubt its done rows) leaves a broken container. A cut run may fail
 * only by the cut, a run not cut must succeed, and the resume's cut is drawn from the hook points
 * the resume itself passes and must land.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad } from '../../src/load/run-load.js';
import { DB_FILE } from '../../src/state/job-db.js';
import { BUCKET_NAME } from '../../src/format/names.js';
import type { LoadOptions } from '../../src/load/options.js';
import { verifyContainer } from '../../src/read/verify.js';
import { Container } from '../../src/read/container.js';
import { exportContainer } from '../../src/read/export.js';
import { mulberry32 as prng } from '../../src/util/seeded-random.js';
import { makeTree, snapshotTree, compareTrees } from '../helpers/tree.js';
import { storeShape, type ContainerShape } from '../helpers/load-container.js';
import { VolatileStore, type Writeback } from '../helpers/volatile-store.js';
import { addSmallFiles } from './rel-helpers.js';
import { independentDiff, storeBlobs } from '../helpers/independent-walk.js';
import { AbortedError } from '../../src/errors.js';
import { bucketOwner } from '../../src/load/dest-claim.js';

const SEED = Number(process.env.CLFS_POWER_SEED ?? 7171);

/** The ways a run stops when its power is cut: it saw the abort, or the dead machine's store. */
function byTheCut(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof AbortedError || /the machine is off/.test(e.message)) return true;
  }
  return false;
}

function comparable(s: ContainerShape) {
  return { byBtype: s.byBtype, byVersion: s.byVersion, v1: s.v1, tmp: s.tmp, inProgress: s.inProgress, bucketKeys: s.bucketKeys };
}

/**
 * The job database's files as they are: every transaction committed so far (the worst case for
 * a power loss: its commits all survive, while the destination loses what was not synced).
 */
function snapshotDatabase(stateDir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of [DB_FILE, `${DB_FILE}-wal`]) {
    if (existsSync(path.join(stateDir, f))) out.set(f, readFileSync(path.join(stateDir, f)));
  }
  return out;
}

function restoreDatabase(stateDir: string, files: Map<string, Buffer>): void {
  for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) rmSync(path.join(stateDir, f), { force: true });
  for (const [f, bytes] of files) writeFileSync(path.join(stateDir, f), bytes);
}

describe('power loss on a destination synced at checkpoints', { concurrency: 1 }, () => {
  const rand = prng(SEED);
  let tmp: string;
  let src: string;
  let baseline: ContainerShape;
  let hookCalls = 0;
  let n = 0;

  const opts = (o: Partial<LoadOptions> & Pick<LoadOptions, 'store' | 'stateDir'>): LoadOptions => ({
    source: src, destinationIdentity: 'memory://power', compression: 'LZ4', preserveHardlinks: true, maxErrors: 0,
    checkpointIntervalMs: 15, ...o,
  });

  const randomWriteback: Writeback = () => (['old', 'new', 'torn'] as const)[Math.floor(rand() * 3)];

  /** A load on `bootId` cut by a power loss at its `cutAt`-th hook call (or hook point); returns the disk it leaves. */
  async function loadCut(stateDir: string, bootId: string, disk: Map<string, Uint8Array>, cutAt: number | string, more: Partial<LoadOptions> = {}, writeback = randomWriteback): Promise<{ disk: Map<string, Uint8Array>; cut: boolean }> {
    const store = await VolatileStore.boot(disk);
    const controller = new AbortController();
    let calls = 0;
    let left: Map<string, Uint8Array> | undefined;
    let database: Map<string, Buffer> | undefined;
    const hook = (point: string) => {
      if (++calls !== cutAt && point !== cutAt) return;
      left = store.powerLoss(writeback);
      database = snapshotDatabase(stateDir);
      controller.abort();
    };
    const failure = await runLoad(opts({ store, stateDir, bootId, hook, signal: controller.signal, ...more })).then(() => undefined, (err: unknown) => err);
    // The dead machine did nothing after the cut: the job database is what it had committed then.
    if (database) restoreDatabase(stateDir, database);
    // A run that was not cut must succeed; a cut one may only fail by the cut itself.
    if (!left) assert.equal(failure, undefined, `a run that was not cut failed: ${String(failure)}`);
    else if (failure !== undefined) assert.ok(byTheCut(failure), `a cut run failed otherwise: ${String((failure as Error)?.stack ?? failure)}`);
    return left ? { disk: left, cut: true } : { disk: store.powerLoss(() => 'old'), cut: false };
  }

  /**
   * How many hook points resuming the job in `stateDir` on `disk` passes: a counting pass on a copy
   * of the disk, after which the job database is put back as it was.
   */
  async function resumeHookCalls(stateDir: string, bootId: string, disk: Map<string, Uint8Array>): Promise<number> {
    const database = snapshotDatabase(stateDir);
    let calls = 0;
    await runLoad(opts({ store: await VolatileStore.boot(disk), stateDir, bootId, hook: () => void calls++ }));
    restoreDatabase(stateDir, database);
    return calls;
  }

  async function assertLikeBaseline(store: VolatileStore, label: string): Promise<void> {
    assert.deepEqual(comparable(await storeShape(store)), comparable(baseline), `${label}: the container has the shape of an uninterrupted load`);
    const report = await verifyContainer(store);
    assert.deepEqual(report.findings, [], `${label}: verify finds nothing`);
    const out = mkdtempSync(path.join(tmp, 'export-'));
    rmSync(out, { recursive: true });
    await exportContainer(await Container.open(store), out);
    assert.deepEqual(compareTrees(snapshotTree(src), snapshotTree(path.join(out)), { mayLack: ['sock'], mtimeToleranceNs: 2000n }), [], `${label}: the export equals the source`);
    assert.deepEqual(await independentDiff(storeBlobs(store), src, { hardlinks: 'preserve' }), [], `${label}: the codec-only walk equals the source`);
  }

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-power-'));
    src = path.join(tmp, 'src');
    makeTree('basic', path.join(src, 'basic'));
    makeTree('hardlinks', path.join(src, 'hl'));
    addSmallFiles(src, 150);
    // two 8 MiB segments past the inode's inline part, and their indirect block
    writeFileSync(path.join(src, 'big.bin'), Buffer.alloc(9 << 20, 'segmented data '));
    const store = await VolatileStore.boot();
    await runLoad(opts({ store, stateDir: path.join(tmp, 'baseline-state'), hook: () => void hookCalls++ }));
    baseline = await storeShape(store);
    assert.ok(hookCalls >= 100, `an uninterrupted load passes ${hookCalls} hook points`);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (let i = 0; i < 4; i++) {
    test(`job ${i}: power lost in the load (and again in its resume), rebooted, equal to an uninterrupted load (seed ${SEED})`, async (t) => {
      const state = path.join(tmp, `state-${n++}`);
      // job i is first cut in the i-th quarter of the load, then its resume at a seeded point
      const first = 1 + Math.floor(((i + rand()) / 4) * hookCalls);
      const a = await loadCut(state, 'boot-1', new Map(), first);
      assert.ok(a.cut, 'the first run was cut');
      // the resume's cut is drawn from the hook points the resume itself passes (it skips what is done), two short for jitter
      const R = await resumeHookCalls(state, 'boot-2', a.disk);
      assert.ok(R >= 3, `the resume passes ${R} hook points`);
      const second = 1 + Math.floor(rand() * (R - 2));
      const b = await loadCut(state, 'boot-2', a.disk, second);
      t.diagnostic(`cut at hook call ${first} of ${hookCalls}, then its resume at ${second} of ${R}`);
      assert.ok(b.cut, `the resume was cut (at ${second} of ${R})`);
      const store = await VolatileStore.boot(b.disk);
      const lines: string[] = [];
      const r = await runLoad(opts({ store, stateDir: state, bootId: 'boot-3', onLog: (_level, line) => lines.push(line) }));
      assert.equal(r.snapshot.status, 'Completed');
      assert.ok(lines.some((l) => /machine restarted .* objects written since the last checkpoint are written again/.test(l)), 'the restart was noticed');
      await assertLikeBaseline(store, `job ${i}`);
    });
  }

  test('power lost after the load reported Completed, before the kernel wrote it back: the same command redoes the tail', async () => {
    const state = path.join(tmp, `state-${n++}`);
    const store = await VolatileStore.boot();
    // no checkpoint during the run: everything it wrote is lost
    const r = await runLoad(opts({ store, stateDir: state, bootId: 'boot-1', checkpointIntervalMs: 3_600_000 }));
    assert.equal(r.snapshot.status, 'Completed');
    assert.ok(store.unsynced > 0, 'a finished load does not wait for the disk');
    const disk = store.powerLoss(() => (rand() < 0.5 ? 'old' : 'torn'));
    // On the same boot nothing says the disk lost writes: the job trusts its state, unless the
    // bucket object it checks on every resume came back torn (then it refuses, writing nothing).
    const lossStore = await VolatileStore.boot(disk);
    const bucketReadable = await bucketOwner(lossStore, 'no-such-uuid').then((o) => o.kind === 'other', () => false);
    const same = await runLoad(opts({ store: lossStore, stateDir: state, bootId: 'boot-1' })).then(
      (res) => (res.alreadyDone ? 'finished' : 'ran again'),
      (err: { code?: string }) => err.code ?? String(err),
    );
    assert.equal(same, bucketReadable ? 'finished' : 'CLFS_DEST_MISMATCH', 'on the same boot a finished job is finished, or refused if its bucket object is torn');
    const rebooted = await VolatileStore.boot(disk);
    const again = await runLoad(opts({ store: rebooted, stateDir: state, bootId: 'boot-2' }));
    assert.equal(again.alreadyDone, false, 'after a reboot the unsynced job is done again');
    await assertLikeBaseline(rebooted, 'after Completed');
  });

  test('control: the same loss without a reboot is not detected, and leaves a broken container', async () => {
    const state = path.join(tmp, `state-${n++}`);
    // Cut as FINALIZE starts (every done mark committed), nothing synced, nothing written back:
    // the disk has lost every blob the load wrote but its claim, the bucket object (durable at once:
    // BlobStore.putIfAbsent), so the resume takes the destination for its own.
    const a = await loadCut(state, 'boot-1', new Map(), 'before-root-publish', { checkpointIntervalMs: 3_600_000 }, () => 'old');
    assert.ok(a.cut);
    assert.deepEqual([...a.disk.keys()], [BUCKET_NAME]);
    const store = await VolatileStore.boot(a.disk);
    const r = await runLoad(opts({ store, stateDir: state, bootId: 'boot-1' })).catch((err: unknown) => err);
    const broken = r instanceof Error || (await verifyContainer(store)).findings.length > 0;
    assert.ok(broken, 'a resume that trusts done rows a power loss took leaves a broken container (the test can fail)');
  });

  test('a failed sync fails the job; its resume on the same boot redoes what was not synced', async () => {
    const state = path.join(tmp, `state-${n++}`);
    const store = await VolatileStore.boot();
    store.failSyncs = 1;
    await assert.rejects(runLoad(opts({ store, stateDir: state, bootId: 'boot-1', checkpointIntervalMs: 5 })), /Input\/output error/);
    // the data the failed sync was to write never reaches the disk; the machine keeps running
    const disk = store.powerLoss(() => 'old');
    const same = await VolatileStore.boot(disk);
    const lines: string[] = [];
    const r = await runLoad(opts({ store: same, stateDir: state, bootId: 'boot-1', onLog: (_level, line) => lines.push(line) }));
    assert.equal(r.snapshot.status, 'Completed');
    assert.ok(lines.some((l) => /A sync failed when this job last ran/.test(l)), lines.join('\n'));
    await assertLikeBaseline(same, 'after a failed sync');
  });

  test('an interrupted run syncs before it stops: a reboot after it redoes nothing', async () => {
    const state = path.join(tmp, `state-${n++}`);
    const store = await VolatileStore.boot();
    const controller = new AbortController();
    let calls = 0;
    const hook = () => {
      if (++calls === Math.floor(hookCalls / 2)) controller.abort();
    };
    await assert.rejects(runLoad(opts({ store, stateDir: state, bootId: 'boot-1', hook, signal: controller.signal, checkpointIntervalMs: 3_600_000 })));
    assert.equal(store.unsynced, 0, 'the last checkpoint synced everything the run wrote');
    const lines: string[] = [];
    const rebooted = await VolatileStore.boot(store.powerLoss(() => 'old'));
    const r = await runLoad(opts({ store: rebooted, stateDir: state, bootId: 'boot-2', onLog: (_level, line) => lines.push(line) }));
    assert.equal(r.snapshot.status, 'Completed');
    assert.ok(!lines.some((l) => /machine restarted/.test(l)), 'nothing was undone');
    await assertLikeBaseline(rebooted, 'after an interrupt');
  });
});
