/** Measures one row: its ceilings and every clfsload run, against a local directory or a fresh Azurite. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAzurite } from './azurite.js';
import { blobPlan, probeConcurrency, probeSample } from './ceilings.js';
import { lastLines, redactText, runCopy, runLoader, type Outcome } from './loader.js';
import { measureCommand } from './measure.js';
import type { Result } from './result.js';
import type { Compression, RowSpec } from './rows.js';
import type { TreeTotals } from './trees.js';

export interface RunContext {
  repoRoot: string;
  cliEntry: string;
  /** scratch directory of this bench run; everything below it is deleted at the end */
  tmp: string;
  logDir: string;
  quick: boolean;
  /** each measurement runs this many times, interleaved; the fastest run is kept (the machine is shared) */
  rounds: number;
  profileDir?: string;
  /** called with each kept result (the fastest of its rounds) */
  report(r: Result): void;
  /** called with every single run, for the progress log */
  tried(r: Result, round: number): void;
  /** a progress remark for the console */
  note(text: string): void;
}

const CONCURRENCIES = [16, 32, 64, 128];

function toResult(row: RowSpec, totals: TreeTotals, base: Pick<Result, 'dest' | 'tool' | 'compression'>, o: Outcome): Result {
  const { wallS, userS, sysS, peakRssMB, ok, error } = o;
  return { row: row.id, files: totals.files, bytes: totals.bytes, ...base, wallS, userS, sysS, peakRssMB, ok, error };
}

/** Keeps the fastest successful run per measurement (or the last failure if none succeeded). */
class Fastest {
  private readonly best = new Map<string, Result>();
  constructor(private readonly ctx: RunContext) {}
  add(r: Result, round: number): void {
    this.ctx.tried(r, round);
    const key = `${r.tool} ${r.compression ?? ''}`;
    const have = this.best.get(key);
    if (!have || (r.ok && (!have.ok || r.wallS < have.wallS))) this.best.set(key, { ...r, runs: (have?.runs ?? 0) + 1 });
    else have.runs = (have.runs ?? 1) + 1;
  }
  reportAll(): void {
    for (const r of this.best.values()) this.ctx.report(r);
  }
}

function countLocalBlobs(dir: string): { count: number; bytes: number } {
  let bytes = 0;
  const names = readdirSync(dir);
  for (const name of names) bytes += statSync(path.join(dir, name)).size;
  return { count: names.length, bytes };
}

/**
 * Writes back every dirty page before a local measurement (not timed). The outputs are kept, so
 * without it each run found the previous runs' gigabytes still being written back and was
 * throttled with them: `cp -a` of the 1 GiB large tree took 0.29 s in one full run and 1.73 s in
 * another.
 */
function flushDisk(): void {
  execFileSync('sync');
}

/**
 * cp -a, then clfsload into a fresh empty directory per compression; `ctx.rounds` times. Outputs
 * stay until the bench ends (the whole temp dir goes then): on ext4, creating files for minutes
 * after deleting many makes the inode allocator test every recently freed slot
 * (`recently_deleted`), which was measured to slow `cp -a` of 20,000 files from 0.65 s to 11-30 s.
 */
export async function runLocal(ctx: RunContext, row: RowSpec, source: string, totals: TreeTotals): Promise<void> {
  const fastest = new Fastest(ctx);
  for (let round = 1; round <= Math.min(ctx.rounds, row.maxRounds ?? ctx.rounds); round++) {
    if (row.ceilings) {
      const target = path.join(ctx.tmp, `cp-${row.id}-r${round}`);
      flushDisk();
      fastest.add(toResult(row, totals, { dest: 'local', tool: 'cp -a' }, await runCopy(source, target, ctx.logDir, `cp-${row.id}-r${round}`)), round);
      const durable = path.join(ctx.tmp, `cp-sync-${row.id}-r${round}`);
      flushDisk();
      fastest.add(toResult(row, totals, { dest: 'local', tool: 'cp -a + sync' }, await runCopy(source, durable, ctx.logDir, `cp-sync-${row.id}-r${round}`, true)), round);
    }
    for (const compression of row.compressions) {
      flushDisk();
      const name = `load-${row.id}-local-${compression}-r${round}`;
      const destination = path.join(ctx.tmp, `out-${name}`);
      const stateDir = path.join(ctx.tmp, `state-${name}`);
      mkdirSync(destination);
      const outcome = await runLoader({ cliEntry: ctx.cliEntry, source, destination, stateDir, compression, logDir: ctx.logDir, name, profileDir: ctx.profileDir });
      const result = toResult(row, totals, { dest: 'local', tool: 'clfsload', compression }, outcome);
      if (outcome.ok) {
        const { count, bytes } = countLocalBlobs(destination);
        Object.assign(result, { blobs: count, storedBytes: bytes });
      }
      fastest.add(result, round);
    }
  }
  fastest.reportAll();
}

/**
 * A fresh Azurite for every measurement (each probe candidate, raw upload and clfsload run), each
 * with one container. Sharing one per row let each run inherit the garbage of the runs before
 * (Azurite keeps blobs in its own heap): the 1 GiB raw upload took 3.4 s first in a row and 5.3 s
 * after two loads, which decided the ratio more than either side did.
 */
export async function runAzurite(ctx: RunContext, row: RowSpec, source: string, totals: TreeTotals): Promise<void> {
  let seq = 0;
  const fresh: Fresh = async () => {
    const dir = path.join(ctx.tmp, `azurite-${row.id}-${++seq}`);
    mkdirSync(dir, { recursive: true });
    const azurite = await startAzurite(ctx.repoRoot, dir);
    const name = `bench-${row.id}-${seq}`;
    const dispose = async (): Promise<void> => {
      await azurite.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      const url = await azurite.createContainer(name);
      return { name, url, countBlobs: () => azurite.countBlobs(name), dispose };
    } catch (err) {
      await dispose();
      throw err;
    }
  };
  const fastest = new Fastest(ctx);
  const ranked = row.ceilings ? await probeRanked(ctx, row, fresh) : [];
  for (let round = 1; round <= Math.min(ctx.rounds, row.maxRounds ?? ctx.rounds); round++) {
    // Round r uploads at the r-th fastest probed concurrency: a noisy probe cannot pin a poor ceiling.
    if (ranked.length > 0) fastest.add(await runRawUpload(ctx, row, totals, ranked[(round - 1) % ranked.length], fresh, round), round);
    for (const compression of row.compressions) {
      fastest.add(await runAzuriteLoad(ctx, row, source, totals, compression, fresh, round), round);
    }
  }
  fastest.reportAll();
}

type Fresh = () => Promise<{ name: string; url: string; countBlobs(): Promise<{ count: number; bytes: number }>; dispose(): Promise<void> }>;

/** The probed concurrencies, fastest first, for the raw upload of a sample of the row's blobs. */
async function probeRanked(ctx: RunContext, row: RowSpec, fresh: Fresh): Promise<number[]> {
  const sizes = blobPlan(row.tree);
  const sample = ctx.quick ? probeSample(sizes, 300, 32 << 20) : probeSample(sizes, 1000, 256 << 20);
  const { tries } = await probeConcurrency(sample, CONCURRENCIES, { create: fresh });
  ctx.note(`raw upload probe on ${sample.length} blobs: ${tries.map((t) => `x${t.concurrency} ${(sample.length / t.seconds).toFixed(0)} PUT/s`).join(', ')}`);
  return [...tries].sort((a, b) => a.seconds - b.seconds).map((t) => t.concurrency);
}

/** The raw-upload program (raw-upload-main.ts), run as a measured child process like clfsload. */
const RAW_UPLOAD_MAIN = fileURLToPath(new URL('./raw-upload-main.js', import.meta.url));

async function runRawUpload(ctx: RunContext, row: RowSpec, totals: TreeTotals, concurrency: number, fresh: Fresh, round: number): Promise<Result> {
  const sizes = blobPlan(row.tree);
  const name = `raw-${row.id}-x${concurrency}-r${round}`;
  const sizesFile = path.join(ctx.tmp, `${name}.sizes.json`);
  writeFileSync(sizesFile, JSON.stringify(sizes));
  const base = { dest: 'azurite' as const, tool: 'raw upload' as const };
  try {
    const c = await fresh();
    try {
      const argv = [process.execPath, RAW_UPLOAD_MAIN, sizesFile, String(concurrency)];
      const stderrFile = path.join(ctx.logDir, `${name}.stderr`);
      const m = await measureCommand(argv, { env: { ...process.env, RAW_UPLOAD_URL: c.url }, stdoutFile: path.join(ctx.logDir, `${name}.stdout`), stderrFile });
      const outcome: Outcome = m.exitCode === 0 ? { ...m, ok: true } : { ...m, ok: false, error: `raw upload exit ${m.exitCode}: ${lastLines(stderrFile, 2)}` };
      return { ...toResult(row, totals, base, outcome), concurrency, blobs: sizes.length, storedBytes: sizes.reduce((a, b) => a + b, 0) };
    } finally {
      await c.dispose();
    }
  } catch (err) {
    return { ...toResult(row, totals, base, { wallS: NaN, userS: NaN, sysS: NaN, peakRssMB: NaN, exitCode: 1, ok: false }), concurrency, error: `raw upload failed: ${redactText((err as Error).message)}` };
  } finally {
    rmSync(sizesFile, { force: true });
  }
}

async function runAzuriteLoad(
  ctx: RunContext,
  row: RowSpec,
  source: string,
  totals: TreeTotals,
  compression: Compression,
  fresh: Fresh,
  round: number,
): Promise<Result> {
  const name = `load-${row.id}-azurite-${compression}-r${round}`;
  const stateDir = path.join(ctx.tmp, `state-${name}`);
  const c = await fresh();
  try {
    const outcome = await runLoader({ cliEntry: ctx.cliEntry, source, destination: c.url, stateDir, compression, logDir: ctx.logDir, name, profileDir: ctx.profileDir });
    const result = toResult(row, totals, { dest: 'azurite', tool: 'clfsload', compression }, outcome);
    if (outcome.ok) {
      const { count, bytes } = await c.countBlobs();
      Object.assign(result, { blobs: count, storedBytes: bytes });
    }
    return result;
  } finally {
    await c.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
