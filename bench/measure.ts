/**
 * Runs one command as a child process and measures its wall time, CPU seconds and peak RSS.
 * GNU time (`/usr/bin/time -f`) reports the child's own rusage exactly; without it we fall back
 * to polling /proc/<pid> (VmHWM is a high-water mark, so polling loses only the last interval's CPU).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';

export interface Measured {
  wallS: number;
  userS: number;
  sysS: number;
  peakRssMB: number;
  exitCode: number;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** where the child's stdout and stderr go (files; never inherited, the bench prints its own table) */
  stdoutFile: string;
  stderrFile: string;
}

const GNU_TIME = '/usr/bin/time';
/** GNU time format: elapsed, user, system seconds and max RSS in KiB. */
const TIME_FORMAT = 'BENCH %e %U %S %M';

/** Parses the line GNU time wrote with TIME_FORMAT (it may be preceded by "Command exited with ..."). */
export function parseGnuTime(text: string): { userS: number; sysS: number; peakRssMB: number } {
  const line = text.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`no rusage line in GNU time output: ${text.slice(0, 200)}`);
  const [, , user, sys, maxKiB] = line.trim().split(/\s+/);
  // A max RSS of 0 is no measurement (a live Node process has tens of MB): unknown, not 0.
  const kib = Number(maxKiB);
  return { userS: Number(user), sysS: Number(sys), peakRssMB: kib > 0 ? (kib * 1024) / 1e6 : NaN };
}

/**
 * Reads utime+stime (clock ticks, assumed 100 Hz) and VmHWM of a live process, or undefined once it
 * is gone. peakRssMB is NaN when status has no VmHWM (a zombie's has none): unknown, not 0.
 */
export function readProcUsage(pid: number): { userS: number; sysS: number; peakRssMB: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { userS: Number(fields[11]) / 100, sysS: Number(fields[12]) / 100, peakRssMB: hwm ? (Number(hwm[1]) * 1024) / 1e6 : NaN };
  } catch {
    return undefined;
  }
}

type Usage = NonNullable<ReturnType<typeof readProcUsage>>;

/** The newest CPU times, and the largest RSS known so far (a later unknown one does not erase it). */
export function mergeUsage(before: Usage | undefined, now: Usage | undefined): Usage | undefined {
  if (!now) return before;
  if (!before || !Number.isFinite(before.peakRssMB)) return now;
  return { ...now, peakRssMB: Number.isFinite(now.peakRssMB) ? Math.max(now.peakRssMB, before.peakRssMB) : before.peakRssMB };
}

/** Runs argv[0] with argv[1..] and measures it. */
export async function measureCommand(argv: string[], options: MeasureOptions): Promise<Measured> {
  const useGnuTime = existsSync(GNU_TIME);
  const timeFile = `${options.stderrFile}.rusage`;
  const full = useGnuTime ? [GNU_TIME, '-f', TIME_FORMAT, '-o', timeFile, ...argv] : argv;
  const out = openSync(options.stdoutFile, 'w');
  const err = openSync(options.stderrFile, 'w');
  const start = process.hrtime.bigint();
  let polled: ReturnType<typeof readProcUsage>;
  try {
    const child = spawn(full[0], full.slice(1), { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', out, err] });
    const poller = useGnuTime ? undefined : setInterval(() => {
      polled = mergeUsage(polled, child.pid ? readProcUsage(child.pid) : undefined);
    }, 50);
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    if (poller) clearInterval(poller);
    const wallS = Number(process.hrtime.bigint() - start) / 1e9;
    if (useGnuTime) {
      const usage = parseGnuTime(readFileSync(timeFile, 'utf8'));
      rmSync(timeFile, { force: true });
      return { wallS, exitCode, ...usage };
    }
    return { wallS, exitCode, userS: polled?.userS ?? NaN, sysS: polled?.sysS ?? NaN, peakRssMB: polled?.peakRssMB ?? NaN };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}
