/** The performance goals, evaluated on the results of one run. */
import type { Compression, Dest, RowId } from './rows.js';
import { ceilingFor, cpuSeconds, findResult, type Result } from './result.js';

export interface Goal {
  goal: string;
  /**
   * INFO: a figure printed for context, not one of the goals; VOID: measured, but against
   * a ceiling that was itself disturbed (see localCeilingDisturbed)
   */
  status: 'PASS' | 'MISS' | 'N/A' | 'INFO' | 'VOID';
  detail: string;
}

const MAX_RSS_MB = 300;
const COMPRESSIONS: Compression[] = ['LZ4', 'DISABLED'];

/** `voidBecause`: why the measurement cannot be judged (its ceiling was disturbed), if it cannot. */
function check(goal: string, value: number | undefined, limit: number, cmp: '>=' | '<=', detail: string, voidBecause?: string): Goal {
  if (value === undefined || !Number.isFinite(value)) return { goal, status: 'N/A', detail: 'not measured (row missing or failed)' };
  if (voidBecause) return { goal, status: 'VOID', detail: `${value.toFixed(2)} ${cmp} ${limit} — ${voidBecause}` };
  const pass = cmp === '>=' ? value >= limit : value <= limit;
  return { goal, status: pass ? 'PASS' : 'MISS', detail: `${value.toFixed(2)} ${cmp} ${limit} — ${detail}` };
}

const clfs = (results: Result[], row: RowId, dest: Dest, compression: Compression): Result | undefined =>
  findResult(results, { row, dest, tool: 'clfsload', compression, ok: true });

/** Throughput of clfsload ÷ the ceiling's (ceiling wall ÷ clfsload wall, same tree). */
function throughputRatio(results: Result[], r: Result | undefined): number | undefined {
  const c = r && ceilingFor(results, r);
  return r && c ? c.wallS / r.wallS : undefined;
}

function wallRatio(results: Result[], r: Result | undefined): number | undefined {
  const c = r && ceilingFor(results, r);
  return r && c ? r.wallS / c.wallS : undefined;
}

/**
 * Why a row's `cp -a` cannot serve as its ceiling, if it cannot: it took longer than `cp -a`
 * followed by `sync`, which does the same and more. That happens when the file system is slow to
 * create files for a while (on ext4, for minutes after many were deleted: docs/performance.md),
 * and then the row's local ratios say nothing about clfsload.
 */
export function localCeilingDisturbed(results: Result[], row: RowId): string | undefined {
  const copy = findResult(results, { row, dest: 'local', tool: 'cp -a', ok: true });
  const durable = findResult(results, { row, dest: 'local', tool: 'cp -a + sync', ok: true });
  if (!copy || !durable || copy.wallS < durable.wallS) return undefined;
  return `cp -a (${copy.wallS.toFixed(2)} s) was not faster than cp -a + sync (${durable.wallS.toFixed(2)} s): the file system was disturbed (a recent mass deletion?); rerun in ~10 minutes`;
}

/** Every goal of the issue, PASS / MISS / N/A with the numbers behind it. */
export function evaluateGoals(results: Result[]): Goal[] {
  const goals: Goal[] = [];
  for (const comp of COMPRESSIONS) {
    goals.push(check(`Azurite small files/s ≥ 0.9 × raw upload (${comp})`, throughputRatio(results, clfs(results, 'small', 'azurite', comp)), 0.9, '>=', 'clfsload ÷ raw'));
    goals.push(check(`Azurite large MB/s ≥ 0.9 × raw upload (${comp})`, throughputRatio(results, clfs(results, 'large', 'azurite', comp)), 0.9, '>=', 'clfsload ÷ raw'));
    goals.push(check(`Local small wall ≤ 4 × cp -a (${comp})`, wallRatio(results, clfs(results, 'small', 'local', comp)), 4, '<=', 'clfsload ÷ cp -a', localCeilingDisturbed(results, 'small')));
  }
  goals.push(check('Local large wall ≤ 2 × cp -a (DISABLED)', wallRatio(results, clfs(results, 'large', 'local', 'DISABLED')), 2, '<=', 'clfsload ÷ cp -a', localCeilingDisturbed(results, 'large')));
  // Context: neither cp -a nor clfsload waits for the disk (clfsload syncs every 30 s in the background).
  for (const row of ['small', 'large'] as const) {
    const r = clfs(results, row, 'local', row === 'small' ? 'LZ4' : 'DISABLED');
    const durable = r && findResult(results, { row, dest: 'local', tool: 'cp -a + sync', ok: true });
    if (r && durable) goals.push({ goal: `Local ${row} wall ÷ (cp -a + sync) (${r.compression})`, status: 'INFO', detail: `${(r.wallS / durable.wallS).toFixed(2)} — against a copy that also waits for the disk (context)` });
  }
  const randLz4 = clfs(results, 'large-rand', 'local', 'LZ4');
  const randOff = clfs(results, 'large-rand', 'local', 'DISABLED');
  goals.push(check('Local random data: LZ4 wall ≤ 1.1 × compression off', randLz4 && randOff ? randLz4.wallS / randOff.wallS : undefined, 1.1, '<=', 'LZ4 ÷ off'));

  const loads = results.filter((r) => r.tool === 'clfsload' && r.ok);
  const worst = loads.reduce<Result | undefined>((a, b) => (a && a.peakRssMB >= b.peakRssMB ? a : b), undefined);
  goals.push(check(`Peak RSS ≤ ${MAX_RSS_MB} MB on every row`, worst?.peakRssMB, MAX_RSS_MB, '<=', worst ? `worst: ${worst.row} ${worst.dest} ${worst.compression}` : ''));
  for (const dest of ['local', 'azurite'] as const) {
    const big = clfs(results, 'small', dest, 'LZ4');
    const ref = clfs(results, 'small-ref', dest, 'LZ4');
    const detail = big && ref ? `${big.peakRssMB.toFixed(0)} MB at ${big.files} files ÷ ${ref.peakRssMB.toFixed(0)} MB at ${ref.files}` : '';
    goals.push(check(`Peak RSS at N small files ≤ 1.25 × at N/10 (${dest}, LZ4)`, big && ref ? big.peakRssMB / ref.peakRssMB : undefined, 1.25, '<=', detail));
  }
  const scale = clfs(results, 'scale', 'local', 'LZ4');
  const small = clfs(results, 'small', 'local', 'LZ4');
  if (scale) {
    const perFile = (r: Result): number => r.wallS / r.files;
    goals.push(check('Scale row time per file ≤ 1.3 × small row (local, LZ4)', small ? perFile(scale) / perFile(small) : undefined, 1.3, '<=', 'scale ÷ small, seconds per file'));
  }
  return goals;
}

/** CPU seconds per 1,000 small files and per GiB of large files, for every clfsload run of those rows. */
export function cpuReport(results: Result[]): string[] {
  const lines: string[] = [];
  for (const r of results.filter((x) => x.tool === 'clfsload' && x.ok)) {
    if (r.row === 'small' || r.row === 'scale') lines.push(`${r.row} ${r.dest} ${r.compression}: ${((cpuSeconds(r) / r.files) * 1000).toFixed(2)} CPU s per 1,000 files`);
    if (r.row === 'large' || r.row === 'large-rand') lines.push(`${r.row} ${r.dest} ${r.compression}: ${(cpuSeconds(r) / (r.bytes / 2 ** 30)).toFixed(2)} CPU s per GiB`);
  }
  return lines;
}

export function renderGoals(goals: Goal[]): string {
  return goals.map((g) => `${g.status.padEnd(4)}  ${g.goal}: ${g.detail}`).join('\n');
}
