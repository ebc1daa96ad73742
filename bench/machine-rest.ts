/**
 * Whether the machine is at rest before the bench starts timing. Deleting many files (a test run,
 * a bench's scratch: after the scale row, a million files) keeps this machine's kernel busy for
 * minutes with ext4 discards and writeback: 25 % of the CPU time in the kernel and 20 % more in I/O
 * wait for ~10 minutes after the scale row. A full run started 20 minutes after a test run was slow
 * throughout (Azurite's rows too, up to 2x), which decided ratios more than either side did. The
 * bench waits for the machine to be at rest, up to a limit, and says what it saw.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks of the aggregate `cpu` line of /proc/stat. */
export interface CpuTicks {
  busy: number;
  iowait: number;
  total: number;
}

/** Parses the first (`cpu `) line of /proc/stat: user nice system idle iowait irq softirq steal… */
export function parseProcStat(text: string): CpuTicks | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if ([user, nice, system, idle, iowait].some((n) => !Number.isFinite(n))) return undefined;
  const busy = user + nice + system + (irq || 0) + (softirq || 0) + (steal || 0);
  return { busy, iowait, total: busy + idle + iowait };
}

/** Share of CPU time, between two samples, spent busy or waiting for I/O (0-1). */
export function activeShare(a: CpuTicks, b: CpuTicks): { busy: number; iowait: number } {
  const total = b.total - a.total;
  if (total <= 0) return { busy: 0, iowait: 0 };
  return { busy: (b.busy - a.busy) / total, iowait: (b.iowait - a.iowait) / total };
}

function sample(): CpuTicks | undefined {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Busy and iowait shares over `windowMs` of the bench doing nothing; undefined without /proc/stat. */
export async function measureRest(windowMs: number): Promise<{ busy: number; iowait: number } | undefined> {
  const a = sample();
  await sleep(windowMs);
  const b = sample();
  return a && b ? activeShare(a, b) : undefined;
}

/** At rest: under this share of the CPU busy plus waiting for I/O while the bench itself is idle. */
export const REST_LIMIT = 0.1;

/**
 * Waits, in windows of 3 s, until the machine is at rest or `maxMs` have passed; returns a line
 * for the report.
 */
export async function waitForRest(maxMs: number): Promise<string> {
  const started = Date.now();
  for (;;) {
    const share = await measureRest(3000);
    if (!share) return 'Machine at rest: not checked (no /proc/stat)';
    const what = `${(share.busy * 100).toFixed(0)} % busy, ${(share.iowait * 100).toFixed(0)} % waiting for I/O`;
    const waited = ((Date.now() - started) / 1000).toFixed(0);
    if (share.busy + share.iowait < REST_LIMIT) return `Machine at rest: ${what} over 3 s (waited ${waited} s)`;
    if (Date.now() - started >= maxMs) {
      return `WARNING: the machine is not at rest (${what} over 3 s, still after ${waited} s): kernel writeback or discards after mass deletes, or another job; rows will be slower and noisier`;
    }
  }
}
