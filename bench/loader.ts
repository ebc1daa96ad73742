/** Runs `clfsload load` (the built CLI) as a measured child process, and `cp -a` the same way. */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { measureCommand, type Measured } from './measure.js';
import type { Compression } from './rows.js';
import { NODE_FLAGS } from '../src/cli/node-flags.js';

export interface LoadRun {
  cliEntry: string;
  source: string;
  /** a local directory or a container URL with a SAS */
  destination: string;
  stateDir: string;
  compression: Compression;
  /** where the child's stdout/stderr files go; `name` makes them unique */
  logDir: string;
  name: string;
  /** if set, the loader runs under `node --cpu-prof` writing profiles here */
  profileDir?: string;
}

export interface Outcome extends Measured {
  ok: boolean;
  error?: string;
}

/** Removes anything that looks like a SAS: a URL query string, or a sig= value. */
export function redactText(text: string): string {
  return text.replace(/(https?:\/\/[^\s?"']*)\?[^\s"']*/g, '$1?<SAS redacted>').replace(/sig=[^&\s"']*/g, 'sig=<redacted>');
}

/** The last `n` lines of a child's output file, one line, any SAS removed. */
export function lastLines(file: string, n: number): string {
  try {
    return redactText(readFileSync(file, 'utf8').trim().split('\n').slice(-n).join(' / '));
  } catch {
    return '';
  }
}

/** Loads the tree with the node flags bin/clfsload gives it; ok only when the CLI exits 0. */
export async function runLoader(run: LoadRun): Promise<Outcome> {
  const profile = run.profileDir ? ['--cpu-prof', '--cpu-prof-dir', run.profileDir, '--cpu-prof-name', `${run.name}.cpuprofile`] : [];
  const node = [process.execPath, ...NODE_FLAGS, ...profile];
  const argv = [...node, run.cliEntry, 'load', run.source, run.destination, '--state-path', run.stateDir, '--compression-type', run.compression, '--output-type', 'json'];
  const stdoutFile = path.join(run.logDir, `${run.name}.stdout`);
  const stderrFile = path.join(run.logDir, `${run.name}.stderr`);
  const m = await measureCommand(argv, { stdoutFile, stderrFile });
  if (m.exitCode === 0) return { ...m, ok: true };
  return { ...m, ok: false, error: `exit ${m.exitCode}: ${lastLines(stderrFile, 3) || lastLines(stdoutFile, 2)}` };
}

/** `cp -a source target` (target must not exist); with `durable`, then `sync -f target` (syncfs). */
export async function runCopy(source: string, target: string, logDir: string, name: string, durable = false): Promise<Outcome> {
  const argv = durable ? ['sh', '-c', 'cp -a "$1" "$2" && sync -f "$2"', 'sh', source, target] : ['cp', '-a', source, target];
  const m = await measureCommand(argv, { stdoutFile: path.join(logDir, `${name}.stdout`), stderrFile: path.join(logDir, `${name}.stderr`) });
  return m.exitCode === 0 ? { ...m, ok: true } : { ...m, ok: false, error: `cp exit ${m.exitCode}: ${lastLines(path.join(logDir, `${name}.stderr`), 2)}` };
}
