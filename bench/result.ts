/** One measured line of the benchmark table, and the derived throughput figures. */
import type { Compression, Dest, RowId } from './rows.js';

/** 'cp -a + sync': the copy made durable (syncfs): what a copy costs when it waits for the disk. */
export type Tool = 'clfsload' | 'raw upload' | 'cp -a' | 'cp -a + sync';

export interface Result {
  row: RowId;
  dest: Dest;
  tool: Tool;
  /** clfsload only */
  compression?: Compression;
  files: number;
  /** source bytes */
  bytes: number;
  /** the median of `walls` (the single run's wall time before rounds are combined) */
  wallS: number;
  userS: number;
  sysS: number;
  /** the largest over the rounds; NaN when any round's is unknown (never 0 for unknown) */
  peakRssMB: number;
  /** false when any round failed, or wrote other than what the row must write */
  ok: boolean;
  /** wall seconds of each round, in round order: ratios are taken round by round (see roundRatio) */
  walls?: number[];
  /** why it failed (never contains a SAS) */
  error?: string;
  /** blobs in the destination afterwards, and their total size */
  blobs?: number;
  storedBytes?: number;
  /** raw upload: requests in flight (the last round's) */
  concurrency?: number;
  /** raw upload: requests in flight in each round, when they differed */
  concurrencies?: number[];
  /** how many rounds were combined into this result */
  runs?: number;
}

export const filesPerSecond = (r: Result): number => r.files / r.wallS;
export const megabytesPerSecond = (r: Result): number => r.bytes / 1e6 / r.wallS;
export const cpuSeconds = (r: Result): number => r.userS + r.sysS;

/** The first result matching every given field. */
export function findResult(results: Result[], match: Partial<Result>): Result | undefined {
  return results.find((r) => Object.entries(match).every(([k, v]) => r[k as keyof Result] === v));
}

/**
 * The ceiling a clfsload result is compared with: the raw upload of the same blobs (same
 * compression) on Azurite, `cp -a` locally. Failed ceilings included: the caller decides.
 */
export function ceilingFor(results: Result[], r: Result): Result | undefined {
  return r.dest === 'azurite'
    ? findResult(results, { row: r.row, dest: r.dest, tool: 'raw upload', compression: r.compression })
    : findResult(results, { row: r.row, dest: r.dest, tool: 'cp -a' });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A ratio over rounds: the median, and the spread it came from. */
export interface Ratio {
  value: number;
  min: number;
  max: number;
  rounds: number;
}

/**
 * `f(a's wall, b's wall)` for each round both ran (same round = run back to back, so both saw the
 * same machine), and its median. Results without per-round walls count as one round.
 */
export function roundRatio(a: Result, b: Result, f: (a: number, b: number) => number): Ratio | undefined {
  const wa = a.walls ?? [a.wallS];
  const wb = b.walls ?? [b.wallS];
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(wa.length, wb.length); i++) ratios.push(f(wa[i], wb[i]));
  if (ratios.length === 0 || !ratios.every(Number.isFinite)) return undefined;
  return { value: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: ratios.length };
}

/**
 * Combines the rounds of one measurement: FAILED if any round failed (its error kept, with the
 * round); wall is the median; peak RSS the largest (unknown if any round's is unknown); CPU the
 * median; the blob count must agree between rounds (stored bytes may not: the log blobs' and
 * LZ4's sizes vary by a few bytes), the table shows the last round's.
 */
export function combineRounds(rounds: Result[]): Result {
  const first = rounds[0];
  const failed = rounds.findIndex((r) => !r.ok);
  const rss = rounds.map((r) => r.peakRssMB);
  const out: Result = {
    ...rounds[rounds.length - 1],
    walls: rounds.map((r) => r.wallS),
    wallS: median(rounds.map((r) => r.wallS)),
    userS: median(rounds.map((r) => r.userS)),
    sysS: median(rounds.map((r) => r.sysS)),
    peakRssMB: rss.every(Number.isFinite) ? Math.max(...rss) : NaN,
    runs: rounds.length,
    concurrencies: new Set(rounds.map((r) => r.concurrency)).size > 1 ? rounds.map((r) => r.concurrency ?? NaN) : undefined,
    ok: failed < 0,
    error: failed < 0 ? undefined : `round ${failed + 1} of ${rounds.length}: ${rounds[failed].error ?? 'failed'}`,
  };
  const differ = rounds.findIndex((r) => r.blobs !== first.blobs);
  if (out.ok && differ > 0) {
    out.ok = false;
    out.error = `round ${differ + 1} stored ${rounds[differ].blobs} blobs, round 1 ${first.blobs}`;
  }
  return out;
}
