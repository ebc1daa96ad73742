/** Measures one row: its ceilings and every clfsload run, against a local directory or a fresh Azurite. */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { startAzurite } from './azurite.js';
import { blobPlan, probeConcurrency, probeSample, rawUpload } from './ceilings.js';
import { redactText, runCopy, runLoader, type Outcome } from './loader.js';
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
  profileDir?: string;
  /** called with each result as soon as it is measured */
  report(r: Result): void;
  /** a progress remark for the console */
  note(text: string): void;
}

const CONCURRENCIES = [16, 32, 64, 128];

function toResult(row: RowSpec, totals: TreeTotals, base: Pick<Result, 'dest' | 'tool' | 'compression'>, o: Outcome): Result {
  const { wallS, userS, sysS, peakRssMB, ok, error } = o;
  return { row: row.id, files: totals.files, bytes: totals.bytes, ...base, wallS, userS, sysS, peakRssMB, ok, error };
}

function countLocalBlobs(dir: string): { count: number; bytes: number } {
  let bytes = 0;
  const names = readdirSync(dir);
  for (const name of names) bytes += statSync(path.join(dir, name)).size;
  return { count: names.length, bytes };
}

/** cp -a, then clfsload into a fresh empty directory per compression. */
export async function runLocal(ctx: RunContext, row: RowSpec, source: string, totals: TreeTotals): Promise<void> {
  if (row.ceilings) {
    const target = path.join(ctx.tmp, `cp-${row.id}`);
    ctx.report(toResult(row, totals, { dest: 'local', tool: 'cp -a' }, await runCopy(source, target, ctx.logDir, `cp-${row.id}`)));
    rmSync(target, { recursive: true, force: true });
  }
  for (const compression of row.compressions) {
    const name = `load-${row.id}-local-${compression}`;
    const destination = path.join(ctx.tmp, `out-${name}`);
    const stateDir = path.join(ctx.tmp, `state-${name}`);
    mkdirSync(destination);
    const outcome = await runLoader({ cliEntry: ctx.cliEntry, source, destination, stateDir, compression, logDir: ctx.logDir, name, profileDir: ctx.profileDir });
    const result = toResult(row, totals, { dest: 'local', tool: 'clfsload', compression }, outcome);
    if (outcome.ok) {
      const { count, bytes } = countLocalBlobs(destination);
      Object.assign(result, { blobs: count, storedBytes: bytes });
    }
    ctx.report(result);
    rmSync(destination, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** A fresh Azurite per row: the raw-upload probe and full run, then clfsload per compression, each in its own container. */
export async function runAzurite(ctx: RunContext, row: RowSpec, source: string, totals: TreeTotals): Promise<void> {
  const azuriteDir = path.join(ctx.tmp, `azurite-${row.id}`);
  mkdirSync(azuriteDir, { recursive: true });
  const azurite = await startAzurite(ctx.repoRoot, azuriteDir);
  let seq = 0;
  const fresh = async (): Promise<{ name: string; url: string; dispose(): Promise<void> }> => {
    const name = `bench-${row.id}-${++seq}`;
    const url = await azurite.createContainer(name);
    return { name, url, dispose: () => azurite.deleteContainer(name) };
  };
  try {
    if (row.ceilings) await runRawUpload(ctx, row, totals, fresh);
    for (const compression of row.compressions) await runAzuriteLoad(ctx, row, source, totals, compression, fresh, azurite.countBlobs);
  } finally {
    await azurite.stop();
    rmSync(azuriteDir, { recursive: true, force: true });
  }
}

type Fresh = () => Promise<{ name: string; url: string; dispose(): Promise<void> }>;

async function runRawUpload(ctx: RunContext, row: RowSpec, totals: TreeTotals, fresh: Fresh): Promise<void> {
  const sizes = blobPlan(row.tree);
  const sample = ctx.quick ? probeSample(sizes, 300, 32 << 20) : probeSample(sizes, 1000, 256 << 20);
  const base = { row: row.id, dest: 'azurite' as const, tool: 'raw upload' as const, files: totals.files, bytes: totals.bytes, userS: NaN, sysS: NaN, peakRssMB: NaN };
  try {
    // Warm Azurite (JIT, sockets) first so the first candidate is not penalised.
    await probeConcurrency(sample.slice(0, 200), [32], { create: fresh });
    const { best, tries } = await probeConcurrency(sample, CONCURRENCIES, { create: fresh });
    ctx.note(`raw upload probe on ${sample.length} blobs: ${tries.map((t) => `x${t.concurrency} ${(sample.length / t.seconds).toFixed(0)} PUT/s`).join(', ')}`);
    const c = await fresh();
    try {
      const wallS = await rawUpload(c.url, sizes, best);
      const storedBytes = sizes.reduce((a, b) => a + b, 0);
      ctx.report({ ...base, wallS, ok: true, concurrency: best, blobs: sizes.length, storedBytes });
    } finally {
      await c.dispose();
    }
  } catch (err) {
    ctx.report({ ...base, wallS: NaN, ok: false, error: `raw upload failed: ${redactText((err as Error).message)}` });
  }
}

async function runAzuriteLoad(
  ctx: RunContext,
  row: RowSpec,
  source: string,
  totals: TreeTotals,
  compression: Compression,
  fresh: Fresh,
  countBlobs: (name: string) => Promise<{ count: number; bytes: number }>,
): Promise<void> {
  const name = `load-${row.id}-azurite-${compression}`;
  const stateDir = path.join(ctx.tmp, `state-${name}`);
  const c = await fresh();
  try {
    const outcome = await runLoader({ cliEntry: ctx.cliEntry, source, destination: c.url, stateDir, compression, logDir: ctx.logDir, name, profileDir: ctx.profileDir });
    const result = toResult(row, totals, { dest: 'azurite', tool: 'clfsload', compression }, outcome);
    if (outcome.ok) {
      const { count, bytes } = await countBlobs(c.name);
      Object.assign(result, { blobs: count, storedBytes: bytes });
    }
    ctx.report(result);
  } finally {
    await c.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
