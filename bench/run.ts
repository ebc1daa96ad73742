/**
 * `npm run bench [-- --quick] [--scale] [--only small,large] [--dest local|azurite] [--profile DIR] [--json FILE] [--cli FILE] [--settle S]`
 *
 * Builds each tree under a temporary directory, measures its ceilings and clfsload (LZ4 and
 * compression off) against Azurite and a local directory, prints one Markdown table, the goals
 * as PASS/MISS, and CPU per 1,000 files / per GiB. Never part of `npm test`.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuReport, evaluateGoals, renderGoals } from './goals.js';
import type { Result } from './result.js';
import { runAzurite, runLocal, type RunContext } from './row-runner.js';
import { benchRows, type Dest, type RowId } from './rows.js';
import { renderTable } from './table.js';
import { buildTree, type TreeSpec, type TreeTotals } from './trees.js';
import { waitForRest } from './machine-rest.js';
import { bundleRawUpload, sdkBundleBeside } from './raw-upload-bundle.js';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/**
 * Copies dist/, package.json and the built native helpers under `target`, links node_modules, and
 * returns the CLI entry there. Without native/ the loader would not find its liblz4 helper and
 * would measure lz4-napi instead (it did, in the 15:04 run).
 */
function snapshotBuild(repoRoot: string, target: string): string {
  mkdirSync(target, { recursive: true });
  cpSync(path.join(repoRoot, 'dist'), path.join(target, 'dist'), { recursive: true });
  cpSync(path.join(repoRoot, 'package.json'), path.join(target, 'package.json'));
  cpSync(path.join(repoRoot, 'native'), path.join(target, 'native'), { recursive: true });
  const lz4Helper = path.join(target, 'native', 'lz4-block', 'build', 'Release', 'lz4_block.node');
  if (!existsSync(lz4Helper)) console.log(`WARNING: ${path.relative(target, lz4Helper)} is not built: LZ4 rows measure lz4-napi`);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(target, 'node_modules'));
  return path.join(target, 'dist', 'cli', 'main.js');
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      scale: { type: 'boolean', default: false },
      only: { type: 'string' },
      dest: { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'string' },
      cli: { type: 'string' },
      settle: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  return values;
}

const USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--scale] [--only ROW,ROW] [--dest local|azurite] [--profile DIR] [--json FILE] [--settle S]
  --quick    a tenth of every tree (under two minutes)
  --rounds   runs per measurement, interleaved, combined (median ratio, largest RSS; default 2; 1 with --quick)
  --scale    add the 1,000,000-file scale row (local directory only)
  --only     rows to run: small, small-ref, medium, large, large-rand, wide, scale
  --dest     only this destination
  --profile  run the loader under node --cpu-prof, profiles written to DIR
  --json     also write the raw results to FILE
  --cli      the CLI entry to measure (default dist/cli/main.js, the bundle bin/clfsload runs)
  --settle   wait up to S seconds for the machine to be at rest before measuring (default 300; 0
             with --quick): after mass deletes the kernel is busy for minutes (bench/machine-rest.ts)`;

function describeResult(r: Result): string {
  const what = `${r.row} ${r.dest} ${r.tool}${r.compression ? ` ${r.compression}` : ''}${r.concurrency ? ` x${r.concurrency}` : ''}`;
  if (!r.ok) return `  ${what}: FAILED ${r.error ?? ''}`;
  const stored = r.blobs === undefined ? '' : `, ${r.blobs} blobs, ${((r.storedBytes ?? 0) / 1e6).toFixed(1)} MB stored`;
  const rss = Number.isFinite(r.peakRssMB) ? `, peak RSS ${r.peakRssMB.toFixed(0)} MB` : '';
  return `  ${what}: ${r.wallS.toFixed(2)} s, ${(r.files / r.wallS).toFixed(0)} files/s, ${(r.bytes / 1e6 / r.wallS).toFixed(1)} MB/s${rss}${stored}`;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
  const builtEntry = path.join(repoRoot, 'dist', 'cli', 'main.js');
  if (!opts.cli && !existsSync(builtEntry)) throw new Error(`${builtEntry} is missing: run npm run build first`);
  const only = opts.only ? new Set(opts.only.split(',') as RowId[]) : undefined;
  const rows = benchRows({ quick: opts.quick, scale: opts.scale || Boolean(only?.has('scale')) }).filter((r) => !only || only.has(r.id));
  const dests = opts.dest ? [opts.dest as Dest] : undefined;

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfsload-bench-'));
  const cleanup = (): void => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', cleanup);
  // `on`, not `once`: a second signal must not kill the process halfway through the cleanup.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  // Measure a snapshot of the build: a concurrent `npm run build` (rm -rf dist) must not break a long run.
  const cliEntry = opts.cli ? path.resolve(opts.cli) : snapshotBuild(repoRoot, path.join(tmp, 'app'));
  // The raw upload starts like the CLI: from one bundle that imports the CLI's SDK bundle.
  const rawUploadEntry = path.join(tmp, 'raw-upload.mjs');
  const needsRaw = rows.some((r) => r.ceilings && r.dests.includes('azurite') && (!dests || dests.includes('azurite')));
  if (needsRaw) await bundleRawUpload(fileURLToPath(new URL('./raw-upload-main.js', import.meta.url)), sdkBundleBeside(cliEntry), rawUploadEntry);
  const logDir = path.join(tmp, 'logs');
  mkdirSync(logDir);
  if (opts.profile) mkdirSync(opts.profile, { recursive: true });

  const results: Result[] = [];
  const ctx: RunContext = {
    repoRoot,
    cliEntry,
    rawUploadEntry: needsRaw ? rawUploadEntry : undefined,
    tmp,
    logDir,
    quick: opts.quick,
    rounds: Number(opts.rounds ?? (opts.quick ? 1 : 2)),
    profileDir: opts.profile ? path.resolve(opts.profile) : undefined,
    report: (r) => {
      results.push(r);
    },
    tried: (r, round) => console.log(`${describeResult(r)}${ctx.rounds > 1 ? ` (round ${round})` : ''}`),
    note: (text) => console.log(`  ${text}`),
  };
  console.log(`clfsload bench ${opts.quick ? '(quick) ' : ''}— ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`);
  console.log('Page cache is warm (each tree is read right after it is written; caches are not dropped). Scratch: ' + tmp);
  const settleS = Number(opts.settle ?? (opts.quick ? 0 : 300));
  console.log(await waitForRest(settleS * 1000));
  const started = Date.now();
  for (const row of rows) {
    const built = new Map<string, { source: string; totals: TreeTotals }>();
    const treeFor = (tree: TreeSpec): { source: string; totals: TreeTotals } => {
      const have = built.get(tree.name);
      if (have) return have;
      const source = path.join(tmp, `src-${tree.name}`, tree.name);
      const t0 = Date.now();
      const totals = buildTree(tree, source);
      console.log(`${row.id} (${tree.name}): ${totals.files} files, ${totals.dirs} dirs, ${(totals.bytes / 1e6).toFixed(1)} MB (built in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      built.set(tree.name, { source, totals });
      return built.get(tree.name)!;
    };
    for (const dest of row.dests.filter((d) => !dests || dests.includes(d))) {
      const tree = dest === 'azurite' && row.azuriteTree ? row.azuriteTree : row.tree;
      const { source, totals } = treeFor(tree);
      await (dest === 'local' ? runLocal(ctx, row, source, totals) : runAzurite(ctx, { ...row, tree }, source, totals));
    }
    // Trees stay until the end, like the outputs: deleting them would slow the next row's creates (row-runner.ts).
  }

  console.log(`\n${renderTable(results)}\n`);
  console.log('Ratios: "÷ ceiling" is clfsload throughput ÷ raw upload (Azurite) or ÷ cp -a (local), same tree; "wall ÷ cp -a" is the inverse for local rows.');
  console.log(`Each line combines ${ctx.rounds} interleaved round(s) (wide and scale: 1): wall and CPU are medians, peak RSS the largest, FAILED if any round failed or wrote other than the row must (blob count, stored bytes); ratios and goals take the median of the per-round ratios.\n`);
  if (opts.quick) {
    // A tenth of each tree: Node's start-up (~0.3 s) and the page cache decide these runs, so the
    // goals, set for the full trees, are shown but do not judge the code.
    console.log('Quick mode: the goals are set for the full-size trees; with a tenth of the files, start-up dominates and their PASS/MISS below is only indicative.');
  }
  console.log(`${renderGoals(evaluateGoals(results))}\n`);
  console.log(`CPU:\n${cpuReport(results).map((l) => `  ${l}`).join('\n')}`);
  console.log(`\nTotal bench time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), quick: opts.quick, results }, null, 2));
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench failed: ${(err as Error)?.stack ?? String(err)}`);
    process.exitCode = 1;
  },
);
