/** The load job: INIT → TRANSFER → (RECONCILE → CLEANUP) → FINALIZE → DONE, resumable at any point. */
import os from 'node:os';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Compression } from '../format/envelope.js';
import { Ftype } from '../format/constants.js';
import { ROOT_ID, newUuid4, uuidString, type RandomSource } from '../format/ids.js';
import { BUCKET_NAME } from '../format/names.js';
import { AbortedError, SourceError, StateError, UsageError } from '../errors.js';
import { cryptoRandomSource } from '../util/random.js';
import { lstatSource } from '../source/stat.js';
import { sourceErrorFrom } from '../source/file-reader.js';
import { JobDb } from '../state/job-db.js';
import { refuseStateIsSource } from '../state/state-path.js';
import { BatchWriter } from '../state/batch-writer.js';
import { Phase, readConfig, readPhase, writeConfig, writePhase, type JobConfig, type PhaseName } from '../state/job-meta.js';
import { Stats, type StatsSnapshot } from '../progress/stats.js';
import type { LoadContext } from './context.js';
import { JobLog } from './job-log.js';
import { Budget } from '../util/budget.js';
import { Wakeup } from '../util/wakeup.js';
import { SEGMENT_BUFFER_BYTES, SegmentBuffers } from './segment-buffers.js';
import { defaultConcurrency, type LoadOptions } from './options.js';
import { scanTree } from './scan.js';
import { SLOT_UNITS, TooManyErrors, transferAll, type ScanProgress } from './transfer.js';
import { cleanupAll, reconcileAll } from './reconcile.js';
import { claimBucket, finalize } from './finalize.js';
import { checkDestinationOwned } from './dest-claim.js';
import { checkSourceRoot } from './source-check.js';
import { hookFromEnv } from './test-hook.js';
import { Checkpoints, currentBootId, recoverAfterRestart } from './checkpoints.js';
import { nativeLz4Reason, useNativeLz4 } from './native-lz4.js';

export interface LoadResult {
  snapshot: StatsSnapshot;
  /** the state dir held a finished job: nothing was done, the snapshot is its final summary */
  alreadyDone: boolean;
  resumed: boolean;
}

const SCAN_CONCURRENCY = 8;

export function defaultMemoryBudget(compression: 'LZ4' | 'DISABLED'): number {
  // 128 MiB holds 15 segment buffers with compression off or 5 segments with LZ4 (their footprint,
  // write-file.ts), enough to keep the destination busy; on top of the ~150 MB process baseline
  // (workers included) it keeps peak RSS under 300 MB. With LZ4 a quarter less: besides what the
  // budget counts, each compressed segment leaves its frame to the garbage collector, and segments
  // that do not compress (holding one buffer) let many more into flight; at 128 MiB the large row
  // (half text, half random) peaked at 280-302 MB.
  const budget = Math.min(128 << 20, Math.max(32 << 20, Math.floor(os.totalmem() / 8)));
  return compression === 'LZ4' ? Math.floor((budget * 3) / 4) : budget;
}

function randomU32NonZero(r: RandomSource): number {
  for (;;) {
    const v = r.u32() >>> 0;
    if (v !== 0) return v;
  }
}

function sourceHexOf(source: string): string {
  return Buffer.from(path.resolve(source)).toString('hex');
}

/** The root NAME: last component of the argument as given; a trailing slash gives an empty name. */
export function rootNameOf(source: string): Buffer {
  const i = source.lastIndexOf('/');
  return Buffer.from(i < 0 ? source : source.slice(i + 1));
}

function checkSameJob(c: JobConfig, o: LoadOptions): void {
  const diffs: string[] = [];
  if (c.sourceHex !== sourceHexOf(o.source)) diffs.push(`source (job has ${Buffer.from(c.sourceHex, 'hex').toString()})`);
  if (c.destination !== o.destinationIdentity) diffs.push(`destination (job has ${c.destination})`);
  if (c.compression !== o.compression) diffs.push(`--compression-type (job has ${c.compression})`);
  if (c.preserveHardlinks !== o.preserveHardlinks) diffs.push(`--preserve-hardlinks (job has ${c.preserveHardlinks})`);
  if (diffs.length > 0) {
    throw new StateError('CLFS_STATE_MISMATCH', `the state directory holds a different job; differs in ${diffs.join(', ')}. Use the original arguments to resume, or a new --state-path`);
  }
}

/** Runs (or resumes) a load. Library code: reports through Stats and the log, never prints. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const stats = o.stats ?? new Stats();
  refuseStateIsSource(o.stateDir, o.source);
  const db = JobDb.open(o.stateDir);
  const log = new JobLog(db.dir, o.logLevel ?? 'INFO');
  if (o.onLog) log.onLine(o.onLog);
  // liblz4 when its helper is built; a compression-off job never uses it
  if (!useNativeLz4() && o.compression === 'LZ4') log.info(`blobs are compressed by lz4-napi: ${nativeLz4Reason()}`);
  const started = Date.now();
  const prior = Number(db.getMeta('elapsedMs') ?? '0');
  const saveElapsed = () => db.setMeta('elapsedMs', String(prior + (Date.now() - started)));
  let ran = false;
  // Elapsed time is saved as we go, so a run that is killed still counts in the summary.
  let clock: NodeJS.Timeout | undefined;
  let checkpoints: Checkpoints | undefined;
  try {
    let config = readConfig(db);
    const resumed = config !== undefined;
    const bootId = o.bootId ?? currentBootId();
    if (config) {
      if (o.newSession === true) {
        throw new StateError('CLFS_STATE_EXISTS', `the state directory ${o.stateDir} already holds a job (for ${config.destination}); --new-session=true never overwrites it. Resume without --new-session=true, or choose another --state-path`);
      }
      checkSameJob(config, o);
      const undone = recoverAfterRestart(db, bootId);
      if (undone) {
        const why = undone.reason === 'restart' ? 'The machine restarted since this job last ran, before its last writes were synced to' : 'A sync failed when this job last ran, on';
        log.warn(`${why} ${config.destination}: ${undone.rows} objects written since the last checkpoint are written again` +
          `${undone.fromPhase ? `, and the job goes back from ${undone.fromPhase} to ${Phase.TRANSFER}` : ''}`);
      }
      // past INIT (finished too) the destination must still hold this job's bucket object
      if (readPhase(db) !== Phase.INIT) {
        const warning = await checkDestinationOwned(o.store, config.bucketUuid, config.destination, undone !== undefined, o.signal);
        if (warning) log.warn(warning);
      }
      if (readPhase(db) === Phase.DONE) {
        const snap = JSON.parse(db.getMeta('final') ?? '{}') as StatsSnapshot;
        return { snapshot: snap, alreadyDone: true, resumed };
      }
    } else {
      config = await createJob(db, o);
    }
    ran = true;
    clock = setInterval(saveElapsed, 2000);
    clock.unref();
    const memory = new Budget(o.memoryBudget ?? defaultMemoryBudget(config.compression));
    const ctx: LoadContext = {
      db, batch: new BatchWriter(db), store: o.store, config, stats, log,
      compression: config.compression === 'LZ4' ? Compression.LZ4 : Compression.NONE,
      signal: o.signal ?? new AbortController().signal,
      memory,
      segmentBuffers: new SegmentBuffers(Math.floor(memory.capacity / SEGMENT_BUFFER_BYTES)),
      slots: new Budget((o.concurrency ?? defaultConcurrency()) * SLOT_UNITS),
      hook: o.hook ?? hookFromEnv(),
      wakeup: new Wakeup(),
      excluded: excludedInodes(db.dir.id, o.exclude ?? []),
    };
    log.info(`${resumed ? 'Resuming' : 'Starting'} load of ${path.resolve(o.source)} to ${config.destination}; compression ${config.compression}, preserve hard links ${config.preserveHardlinks}, max errors ${o.maxErrors}, concurrency ${ctx.slots.capacity / SLOT_UNITS}`);
    checkpoints = new Checkpoints(db, o.store, bootId, o.checkpointIntervalMs);
    checkpoints.begin();
    let phasesFailed = true;
    try {
      await runPhases(ctx, o, prior, !resumed);
      phasesFailed = false;
    } finally {
      // keep the progress made; if the phases already failed, their error is the one to report
      await ctx.batch.flush().catch((err: unknown) => {
        if (!phasesFailed) throw err;
      });
    }
    await checkpoints.end(false); // throws if a sync failed: the job is not done
    saveElapsed();
    const snap = stats.snapshot();
    db.setMeta('final', JSON.stringify(snap));
    writePhase(db, Phase.DONE);
    log.info(`Load finished: ${snap.status}`);
    return { snapshot: snap, alreadyDone: false, resumed };
  } catch (caught) {
    // What this run wrote is made durable before it stops, so no restart of the machine undoes it.
    await checkpoints?.end(true);
    const err = stateErrorFrom(caught, o.stateDir);
    stats.status = err instanceof AbortedError || o.signal?.aborted ? 'Aborted' : 'Failed';
    // The CLI prints fatal errors itself, once; the job log keeps a copy.
    if (err instanceof TooManyErrors) log.error(err.message);
    else log.log('ERROR', `load stopped: ${(err as Error).message}`, false);
    throw err;
  } finally {
    if (clock) clearInterval(clock);
    try {
      if (ran && db.db.open) saveElapsed();
    } catch {
      // the state disk may be full: the error being thrown already says so
    }
    log.close();
    db.close();
  }
}

/** SQLite failing under the job (disk full, I/O error) becomes a StateError saying what to do. */
function stateErrorFrom(err: unknown, stateDir: string): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (code === 'SQLITE_FULL') {
    return new StateError('CLFS_STATE_FULL', `state directory ${stateDir}: its disk is full; free space, then run the same command again to resume`);
  }
  return new StateError('CLFS_STATE_IO', `state directory ${stateDir}: the job database failed (${(err as Error).message}); fix the cause, then run the same command again to resume`);
}

/**
 * `dev:ino` of the state dir (from its open descriptor) and of each other existing path, links
 * followed: the scan skips our own output by identity if it lies inside the source.
 */
function excludedInodes(stateDirId: string, paths: string[]): Set<string> {
  const out = new Set<string>([stateDirId]);
  for (const p of paths) {
    try {
      const st = statSync(p, { bigint: true });
      out.add(`${st.dev}:${st.ino}`);
    } catch {
      // not there (yet): nothing to exclude
    }
  }
  return out;
}

async function createJob(db: JobDb, o: LoadOptions): Promise<JobConfig> {
  checkSourceRoot(o.source);
  let rootStat;
  try {
    rootStat = await lstatSource(Buffer.from(o.source));
  } catch (err) {
    throw new UsageError(`source ${sourceErrorFrom(o.source, err).message}`, { code: 'CLFS_SOURCE_MISSING' });
  }
  if ((rootStat.mode & 0o170000) !== 0o040000) throw new UsageError(`source ${o.source} is not a directory`, { code: 'CLFS_SOURCE_NOT_DIR' });
  // Both at once: one round trip less before the first upload. The access check's error, which
  // names what is wrong with the destination, is the one reported.
  const [access, listing] = await Promise.allSettled([o.store.checkAccess(o.signal), o.store.listPage({ pageSize: 1, signal: o.signal })]);
  if (access.status === 'rejected') throw access.reason;
  if (listing.status === 'rejected') throw listing.reason;
  const page = listing.value;
  if (page.items.length > 0) {
    throw new UsageError(`destination ${o.destinationIdentity} is not empty (it holds ${page.items[0].name}); a new load needs an empty container`, { code: 'CLFS_DEST_NOT_EMPTY' });
  }
  const r = o.random ?? cryptoRandomSource();
  const config: JobConfig = {
    sourceHex: sourceHexOf(o.source),
    destination: o.destinationIdentity,
    compression: o.compression,
    preserveHardlinks: o.preserveHardlinks,
    containerId: randomU32NonZero(r),
    fsid: randomU32NonZero(r),
    rootNameHex: rootNameOf(o.source).toString('hex'),
    bucketUuid: uuidString(newUuid4(r)),
    massUuid: uuidString(newUuid4(r)),
    wipeEpoch: uuidString(newUuid4(r)),
  };
  db.transaction(() => {
    writeConfig(db, config);
    writePhase(db, Phase.INIT);
    db.insertObject({
      fh: ROOT_ID, ftype: Ftype.DIR, parentFh: ROOT_ID, name: rootNameOf(o.source), path: Buffer.from(path.resolve(o.source)),
      stat: rootStat, reconcile: 0, plannedSegs: 0,
    });
  });
  return config;
}

async function enter(ctx: LoadContext, phase: PhaseName): Promise<void> {
  // what the previous phases wrote is committed before the next is recorded (durable: checkpoints.ts)
  await ctx.batch.flush();
  writePhase(ctx.db, phase);
  ctx.stats.phase = phase;
  ctx.log.info(`Phase ${phase} started`);
}

/** `createdNow`: the job was created by this run, which has just seen the container empty. */
async function runPhases(ctx: LoadContext, o: LoadOptions, priorElapsedMs: number, createdNow: boolean): Promise<void> {
  const { db, stats } = ctx;
  let phase = readPhase(db);
  if (phase === Phase.INIT) {
    if (!createdNow) {
      // Resumed in INIT: the container may hold our bucket object and nothing else.
      const page = await ctx.store.listPage({ pageSize: 2, signal: ctx.signal });
      const other = page.items.find((b) => b.name !== BUCKET_NAME);
      if (other) throw new UsageError(`destination ${ctx.config.destination} is not empty (it holds ${other.name})`, { code: 'CLFS_DEST_NOT_EMPTY' });
    }
    stats.phase = Phase.INIT;
    ctx.log.info(`Phase ${Phase.INIT} started`);
    await claimBucket(ctx);
    ctx.hook('after-bucket');
    phase = Phase.TRANSFER;
    await enter(ctx, phase);
  } else {
    stats.phase = phase;
    await ctx.store.checkAccess(ctx.signal);
  }
  db.resetFailures();
  const c = db.counts();
  const problems = db.problemCount();
  stats.seed({ total: c.total + problems, done: c.done, failed: problems, bytes: c.bytes, priorElapsedMs });

  if (phase === Phase.TRANSFER) {
    // Scan and transfer run side by side: an object is written as soon as it is ready.
    const t0 = Date.now();
    const scan: ScanProgress = { done: false };
    const halt = { stop: false };
    const scanning = scanTree(ctx, o.random ?? cryptoRandomSource(), SCAN_CONCURRENCY, halt).then(
      () => {
        scan.done = true;
        ctx.wakeup?.wake();
        ctx.log.info(`Scanned the source: ${stats.total} entries in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      },
      (err: unknown) => {
        scan.error = err;
        ctx.wakeup?.wake();
      },
    );
    const transferring = transferAll(ctx, o.maxErrors, scan, halt);
    const [, transferResult] = await Promise.allSettled([scanning, transferring]);
    if (scan.error !== undefined) throw scan.error;
    if (transferResult.status === 'rejected') throw transferResult.reason;
    if (ctx.signal.aborted || !scan.done) throw new AbortedError('load interrupted');
    const root = db.getObject(1);
    if (root?.state !== 1) throw new SourceError('CLFS_SOURCE_ROOT_FAILED', o.source, 'the root directory could not be written; the load stops before FINALIZE');
    phase = db.toReconcile(0, 0, 1).length > 0 || db.toReconcile(1, 0, 1).length > 0 ? Phase.RECONCILE : Phase.FINALIZE;
    await enter(ctx, phase);
  }
  if (phase === Phase.RECONCILE) {
    await reconcileAll(ctx);
    phase = Phase.CLEANUP;
    await enter(ctx, phase);
  }
  if (phase === Phase.CLEANUP) {
    await cleanupAll(ctx);
    phase = Phase.FINALIZE;
    await enter(ctx, phase);
  }
  if (ctx.signal.aborted) throw new AbortedError('load interrupted');
  stats.status = stats.failed > 0 ? 'CompletedWithErrors' : 'Completed';
  // Logged before FINALIZE so the uploaded output.txt records the outcome.
  ctx.log.info(`Transfers: ${stats.total} total, ${stats.done} completed, ${stats.failed} failed; ${stats.retries} retries`);
  await finalize(ctx);
}
