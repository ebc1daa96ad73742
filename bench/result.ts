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
  wallS: number;
  userS: number;
  sysS: number;
  peakRssMB: number;
  ok: boolean;
  /** why it failed (never contains a SAS) */
  error?: string;
  /** blobs in the destination afterwards, and their total size */
  blobs?: number;
  storedBytes?: number;
  /** raw upload: requests in flight */
  concurrency?: number;
  /** how many runs this is the fastest of */
  runs?: number;
}

export const filesPerSecond = (r: Result): number => r.files / r.wallS;
export const megabytesPerSecond = (r: Result): number => r.bytes / 1e6 / r.wallS;
export const cpuSeconds = (r: Result): number => r.userS + r.sysS;

/** The first result matching every given field. */
export function findResult(results: Result[], match: Partial<Result>): Result | undefined {
  return results.find((r) => Object.entries(match).every(([k, v]) => r[k as keyof Result] === v));
}

/** The ceiling a clfsload result is compared with: raw upload on Azurite, `cp -a` locally. */
export function ceilingFor(results: Result[], r: Result): Result | undefined {
  return findResult(results, { row: r.row, dest: r.dest, tool: r.dest === 'azurite' ? 'raw upload' : 'cp -a', ok: true });
}
