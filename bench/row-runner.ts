/** Measures one row: its ceilings and every clfsload run, against a local directory or a fresh Azurite. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAzurite } from './azurite.js';
import { blobPlan, probeConcurrency, probeSample } from './ceilings.js';
import { lastLines, redactText, runCopy, runLoader, type Outcome } from './loader.js';
import { measureCommand } from './measure.js';
import { combineRounds, type Result } from './result.js';
import type { Compression, RowSpec } from './rows.js';
import type { TreeTotals } from './trees.js';
import { checkCopy, checkLoadListing, checkRawListing, listLocal, type Listed } from './verify-output.js';

export interface RunContext {
  repoRoot: string;
  cliEntry: string;
  /** the bundled raw-upload program (raw-upload-bundle.ts), for rows with Azurite ceilings */
  rawUploadEntry?: string;
  /** scratch directory of this bench run; everything below it is deleted at the end */
  tmp: string;
  logDir: string;
  quick: boolean;
  /** each measurement runs this many times, interleaved; the rounds are combined (result.ts combineRounds) */
  rounds: number;
  profileDir?: string;
  /** called with each measurement's rounds combined */
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

/** The listing's count and bytes on the result; a run that wrote other than it must is failed. */
function verified(r: Result, listing: Listed[] | undefined, problem: string | undefined): Result {
  if (!r.ok) return r;
  const out = listing ? { ...r, blobs: listing.length, storedBytes: listing.reduce((a, b) => a + b.size, 0) } : { ...r };
  if (problem) Object.assign(out, { ok: false, error: `exit 0, but the destination is wrong: ${problem}` });
  return out;
}

/** Keeps every round of every measurement; reports them combined (any failed round fails the measurement). */
class Rounds {
  private readonly runs = new Map<string, Result[]>();
  constructor(private readonly ctx: RunContext) {}
  add(r: Result, round: number): void {
    this.ctx.tried(r, round);
    const key = `${r.tool} ${r.compression ?? ''}`;
    this.runs.set(key, [...(this.runs.get(key) ?? []), r]);
  }
  reportAll(): void {
    for (const rounds of this.runs.values()) this.ctx.report(combineRounds(rounds));
  }
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

const roundsOf = (ctx: RunContext, row: RowSpec): number => Math.min(ctx.rounds, row.maxRounds ?? ctx.rounds);

/**
 * cp -a, then clfsload into a fresh empty directory per compression; `ctx.rounds` times. Outputs
 * stay until the bench ends (the whole temp dir goes then): on ext4, creating files for minutes
 * after deleting many makes the inode allocator test every recently freed slot
 * (`recently_deleted`), which was measured to slow `cp -a` of 20,000 files from 0.65 s to 11-30 s.
 */
export async function runLocal(ctx: RunContext, row: RowSpec, source: string, totals: TreeTotals): Promise<void> {
  const rounds = new Rounds(ctx);
  const objects = blobPlan(row.tree).length;
  for (let round = 1; round <= roundsOf(ctx, row); round++) {
    if (row.ceilings) {
      for (const [tool, durable] of [['cp -a', false], ['cp -a + sync', true]] as const) {
        const name = `${durable ? 'cp-sync' : 'cp'}-${row.id}-r${round}`;
        const target = path.join(ctx.tmp, name);
        flushDisk();
        const r = toResult(row, totals, { dest: 'local', tool }, await runCopy(source, target, ctx.logDir, name, durable));
        rounds.add(verified(r, undefined, r.ok ? checkCopy(target, totals) : undefined), round);
      }
    }
    for (const compression of row.compressions) {
      flushDisk();
      const name = `load-${row.id}-local-${compression}-r${round}`;
      const destination = path.join(ctx.tmp, `out-${name}`);
      const stateDir = path.join(ctx.tmp, `state-${name}`);
      mkdirSync(destination);
      const outcome = await runLoader({ cliEntry: ctx.cliEntry, source, destination, stateDir, compression, logDir: ctx.logDir, name, profileDir: ctx.profileDir });
      const result = toResult(row, totals, { dest: 'local', tool: 'clfsload', compression }, outcome);
      const listing = outcome.ok ? listLocal(destination) : undefined;
      rounds.add(verified(result, listing, listing && checkLoadListing(listing, objects, totals, compression)), round);
    }
  }
  rounds.reportAll();
}

type Fresh = () => Promise<{ name: string; url: string; list(): Promise<Listed[]>; dispose(): Promise<void> }>;

/**
 * A fresh Azurite for every measurement (each probe candidate, raw upload and clfsload run), each
 * with one container. Sharing one per row let each run inherit the garbage of the runs before
 * (Azurite keeps blobs in its own heap): the 1 GiB raw upload took 3.4 s first in a row and 5.3 s
 * after two loads, which decided the ratio more than either side did.
 *
 * The raw upload of a compression PUTs the blobs (names and sizes) the first complete load of that
 * compression left in its container, so an LZ4 row is compared with an upload of the same,
 * compressed, bytes. Round 1 must load first; later rounds alternate which side goes first.
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
      return { name, url, list: () => azurite.listBlobs(name), dispose };
    } catch (err) {
      await dispose();
      throw err;
    }
  };
  const rounds = new Rounds(ctx);
  const objects = blobPlan(row.tree).length;
  const ranked = row.ceilings ? await probeRanked(ctx, row, fresh) : [];
  const loaded = new Map<Compression, Listed[]>();
  for (let round = 1; round <= roundsOf(ctx, row); round++) {
    for (const compression of row.compressions) {
      // Round r uploads at the r-th fastest probed concurrency: a noisy probe cannot pin a poor ceiling.
      const raw = async (): Promise<void> => {
        if (ranked.length === 0) return;
        const concurrency = ranked[(round - 1) % ranked.length];
        rounds.add(await runRawUpload(ctx, row, totals, compression, loaded.get(compression), concurrency, fresh, round), round);
      };
      const rawFirst = round % 2 === 0 && loaded.has(compression);
      if (rawFirst) await raw();
      const { result, listing } = await runAzuriteLoad(ctx, row, source, totals, compression, fresh, round);
      const checked = verified(result, listing, listing && checkLoadListing(listing, objects, totals, compression));
      if (checked.ok && listing && !loaded.has(compression)) loaded.set(compression, listing);
      rounds.add(checked, round);
      if (!rawFirst) await raw();
    }
  }
  rounds.reportAll();
}

/** The probed concurrencies, fastest first, for the raw upload of a sample of the row's blobs (planned sizes: the probe only ranks). */
async function probeRanked(ctx: RunContext, row: RowSpec, fresh: Fresh): Promise<number[]> {
  const sizes = blobPlan(row.tree);
  const sample = ctx.quick ? probeSample(sizes, 300, 32 << 20) : probeSample(sizes, 1000, 256 << 20);
  const { tries } = await probeConcurrency(sample, CONCURRENCIES, { create: fresh });
  ctx.note(`raw upload probe on ${sample.length} blobs: ${tries.map((t) => `x${t.concurrency} ${(sample.length / t.seconds).toFixed(0)} PUT/s`).join(', ')}`);
  return [...tries].sort((a, b) => a.seconds - b.seconds).map((t) => t.concurrency);
}

async function runRawUpload(
  ctx: RunContext,
  row: RowSpec,
  totals: TreeTotals,
  compression: Compression,
  blobs: Listed[] | undefined,
  concurrency: number,
  fresh: Fresh,
  round: number,
): Promise<Result> {
  const base = { dest: 'azurite' as const, tool: 'raw upload' as const, compression };
  const failed = (error: string): Result => ({
    ...toResult(row, totals, base, { wallS: NaN, userS: NaN, sysS: NaN, peakRssMB: NaN, exitCode: 1, ok: false }),
    concurrency,
    error,
  });
  // A failed round, not a missing one: the rounds of the two sides stay paired.
  if (!blobs) return failed(`not run: no ${compression} load completed to take its blobs from`);
  if (!ctx.rawUploadEntry) return failed('not run: the raw-upload program was not bundled');
  const name = `raw-${row.id}-${compression}-x${concurrency}-r${round}`;
  const blobsFile = path.join(ctx.tmp, `${name}.blobs.json`);
  writeFileSync(blobsFile, JSON.stringify(blobs));
  try {
    const c = await fresh();
    try {
      const argv = [process.execPath, ctx.rawUploadEntry, blobsFile, String(concurrency)];
      const stderrFile = path.join(ctx.logDir, `${name}.stderr`);
      const m = await measureCommand(argv, { env: { ...process.env, RAW_UPLOAD_URL: c.url }, stdoutFile: path.join(ctx.logDir, `${name}.stdout`), stderrFile });
      const outcome: Outcome = m.exitCode === 0 ? { ...m, ok: true } : { ...m, ok: false, error: `raw upload exit ${m.exitCode}: ${lastLines(stderrFile, 2)}` };
      const listing = outcome.ok ? await c.list() : undefined;
      return verified({ ...toResult(row, totals, base, outcome), concurrency }, listing, listing && checkRawListing(listing, blobs));
    } finally {
      await c.dispose();
    }
  } catch (err) {
    return failed(`raw upload failed: ${redactText((err as Error).message)}`);
  } finally {
    rmSync(blobsFile, { force: true });
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
): Promise<{ result: Result; listing?: Listed[] }> {
  const name = `load-${row.id}-azurite-${compression}-r${round}`;
  const stateDir = path.join(ctx.tmp, `state-${name}`);
  const c = await fresh();
  try {
    const outcome = await runLoader({ cliEntry: ctx.cliEntry, source, destination: c.url, stateDir, compression, logDir: ctx.logDir, name, profileDir: ctx.profileDir });
    const result = toResult(row, totals, { dest: 'azurite', tool: 'clfsload', compression }, outcome);
    return { result, listing: outcome.ok ? await c.list() : undefined };
  } finally {
    await c.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
