/** The issue's performance goals, evaluated on the results of one run. */
import type { Compression, Dest, RowId } from './rows.js';
import { ceilingFor, cpuSeconds, findResult, roundRatio, type Ratio, type Result } from './result.js';

export interface Goal {
  goal: string;
  /**
   * FAIL: a run the goal needs failed (in any round); N/A: not run, or a figure unknown;
   * INFO: a figure printed for context, not one of the issue's goals; VOID: measured, but against
   * a ceiling that was itself disturbed (see localCeilingDisturbed)
   */
  status: 'PASS' | 'MISS' | 'FAIL' | 'N/A' | 'INFO' | 'VOID';
  detail: string;
}

const MAX_RSS_MB = 300;
const COMPRESSIONS: Compression[] = ['LZ4', 'DISABLED'];

const label = (r: Result): string => `${r.row} ${r.dest} ${r.tool}${r.compression ? ` ${r.compression}` : ''}`;

/** Why the goal cannot be judged because a run it needs failed, if one did. */
function failedOf(...rs: (Result | undefined)[]): string | undefined {
  const bad = rs.find((r) => r && !r.ok);
  return bad && `${label(bad)} failed: ${bad.error ?? 'no reason recorded'}`;
}

interface Judge {
  /** a run the goal needs failed */
  failed?: string;
  /** the ceiling was disturbed */
  voidBecause?: string;
}

/** A ratio over rounds is judged by its median; its spread is printed beside it. */
function check(goal: string, value: Ratio | number | undefined, limit: number, cmp: '>=' | '<=', detail: string, judge: Judge = {}): Goal {
  if (judge.failed) return { goal, status: 'FAIL', detail: judge.failed };
  const v = typeof value === 'number' ? value : value?.value;
  if (v === undefined || !Number.isFinite(v)) return { goal, status: 'N/A', detail: 'not measured (row not run, or a figure unknown)' };
  const spread = typeof value === 'object' && value.rounds > 1 ? `; median of ${value.rounds} rounds, ${value.min.toFixed(2)}-${value.max.toFixed(2)}` : '';
  if (judge.voidBecause) return { goal, status: 'VOID', detail: `${v.toFixed(2)} ${cmp} ${limit}${spread} — ${judge.voidBecause}` };
  const pass = cmp === '>=' ? v >= limit : v <= limit;
  return { goal, status: pass ? 'PASS' : 'MISS', detail: `${v.toFixed(2)} ${cmp} ${limit} — ${detail}${spread}` };
}

/** The clfsload result of a row, failed or not (a failed one makes its goals FAIL). */
const clfs = (results: Result[], row: RowId, dest: Dest, compression: Compression): Result | undefined =>
  findResult(results, { row, dest, tool: 'clfsload', compression });

/** A goal against the row's ceiling: `f(clfsload wall, ceiling wall)` round by round. */
function againstCeiling(results: Result[], r: Result | undefined, f: (load: number, ceiling: number) => number): { value?: Ratio; failed?: string } {
  const c = r && ceilingFor(results, r);
  const failed = failedOf(r, c);
  if (failed || !r || !c) return { failed };
  return { value: roundRatio(r, c, f) };
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

/** The RSS goal over every clfsload run: a known excess is a MISS even when other runs are unknown. */
function rssGoal(results: Result[]): Goal {
  const goal = `Peak RSS ≤ ${MAX_RSS_MB} MB on every row`;
  const loads = results.filter((r) => r.tool === 'clfsload');
  if (loads.length === 0) return check(goal, undefined, MAX_RSS_MB, '<=', '');
  // Not a reduce with >=: one NaN there would restart the maximum from the next run.
  const known = loads.filter((r) => Number.isFinite(r.peakRssMB));
  const worst = known.length > 0 ? known.reduce((a, b) => (b.peakRssMB > a.peakRssMB ? b : a)) : undefined;
  const unknown = loads.filter((r) => !Number.isFinite(r.peakRssMB));
  if (worst && worst.peakRssMB > MAX_RSS_MB) return check(goal, worst.peakRssMB, MAX_RSS_MB, '<=', `worst: ${worst.row} ${worst.dest} ${worst.compression}`);
  const failed = failedOf(...loads);
  if (failed) return check(goal, undefined, MAX_RSS_MB, '<=', '', { failed });
  if (unknown.length > 0) return { goal, status: 'N/A', detail: `peak RSS unknown for ${unknown.map(label).join(', ')}${worst ? ` (the others ≤ ${worst.peakRssMB.toFixed(2)})` : ''}` };
  return check(goal, worst?.peakRssMB, MAX_RSS_MB, '<=', worst ? `worst: ${worst.row} ${worst.dest} ${worst.compression}` : '');
}

/** Every goal of the issue, PASS / MISS / FAIL / N/A with the numbers behind it. */
export function evaluateGoals(results: Result[]): Goal[] {
  const goals: Goal[] = [];
  const throughput = (load: number, ceiling: number): number => ceiling / load;
  const wall = (load: number, ceiling: number): number => load / ceiling;
  for (const comp of COMPRESSIONS) {
    const azSmall = againstCeiling(results, clfs(results, 'small', 'azurite', comp), throughput);
    goals.push(check(`Azurite small files/s ≥ 0.9 × raw upload (${comp})`, azSmall.value, 0.9, '>=', 'clfsload ÷ raw', azSmall));
    const azLarge = againstCeiling(results, clfs(results, 'large', 'azurite', comp), throughput);
    goals.push(check(`Azurite large MB/s ≥ 0.9 × raw upload (${comp})`, azLarge.value, 0.9, '>=', 'clfsload ÷ raw', azLarge));
    const localSmall = againstCeiling(results, clfs(results, 'small', 'local', comp), wall);
    goals.push(check(`Local small wall ≤ 4 × cp -a (${comp})`, localSmall.value, 4, '<=', 'clfsload ÷ cp -a', { ...localSmall, voidBecause: localCeilingDisturbed(results, 'small') }));
  }
  const localLarge = againstCeiling(results, clfs(results, 'large', 'local', 'DISABLED'), wall);
  goals.push(check('Local large wall ≤ 2 × cp -a (DISABLED)', localLarge.value, 2, '<=', 'clfsload ÷ cp -a', { ...localLarge, voidBecause: localCeilingDisturbed(results, 'large') }));
  // Context: neither cp -a nor clfsload waits for the disk (clfsload syncs every 30 s in the background).
  for (const row of ['small', 'large'] as const) {
    const r = findResult(results, { row, dest: 'local', tool: 'clfsload', compression: row === 'small' ? 'LZ4' : 'DISABLED', ok: true });
    const durable = r && findResult(results, { row, dest: 'local', tool: 'cp -a + sync', ok: true });
    const ratio = r && durable && roundRatio(r, durable, wall);
    if (r && ratio) goals.push({ goal: `Local ${row} wall ÷ (cp -a + sync) (${r.compression})`, status: 'INFO', detail: `${ratio.value.toFixed(2)} — against a copy that also waits for the disk (context)` });
  }
  const randLz4 = clfs(results, 'large-rand', 'local', 'LZ4');
  const randOff = clfs(results, 'large-rand', 'local', 'DISABLED');
  const randFailed = failedOf(randLz4, randOff);
  goals.push(check('Local random data: LZ4 wall ≤ 1.1 × compression off', randLz4 && randOff && !randFailed ? roundRatio(randLz4, randOff, (a, b) => a / b) : undefined, 1.1, '<=', 'LZ4 ÷ off', { failed: randFailed }));

  goals.push(rssGoal(results));
  for (const dest of ['local', 'azurite'] as const) {
    const big = clfs(results, 'small', dest, 'LZ4');
    const ref = clfs(results, 'small-ref', dest, 'LZ4');
    const detail = big && ref ? `${big.peakRssMB.toFixed(0)} MB at ${big.files} files ÷ ${ref.peakRssMB.toFixed(0)} MB at ${ref.files} (largest over rounds)` : '';
    goals.push(check(`Peak RSS at N small files ≤ 1.25 × at N/10 (${dest}, LZ4)`, big && ref ? big.peakRssMB / ref.peakRssMB : undefined, 1.25, '<=', detail, { failed: failedOf(big, ref) }));
  }
  // Printed whether or not the scale row ran (N/A then): a goal must not vanish.
  const scale = clfs(results, 'scale', 'local', 'LZ4');
  const small = clfs(results, 'small', 'local', 'LZ4');
  const perFile = (r: Result): number => r.wallS / r.files;
  goals.push(check('Scale row time per file ≤ 1.3 × small row (local, LZ4)', scale && small ? perFile(scale) / perFile(small) : undefined, 1.3, '<=', 'scale ÷ small, seconds per file (medians; the scale row runs once)', { failed: failedOf(scale, small) }));
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
