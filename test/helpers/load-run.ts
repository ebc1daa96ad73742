/** Spawning the built CLI for end-to-end load tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliEntry } from './paths.js';

/** The CLI entry: the built dist by default ($CLFSLOAD_CLI overrides, for development). */
export const cli = process.env.CLFSLOAD_CLI ?? cliEntry;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** run as another user: a prefix command such as ['setpriv', '--reuid=nobody', ...] */
  prefix?: string[];
  /** called once the child is spawned (e.g. to send it a signal later) */
  onSpawn?: (child: ChildProcess) => void;
  /** past this the child is SIGKILLed and the run rejects with CliTimeout (default 120 s) */
  timeoutMs?: number;
}

/** An argument with any SAS signature hidden (error messages must not show secrets). */
function redactSas(arg: string): string {
  return arg.replace(/([?&]sig=)[^&\s]*/gi, '$1<redacted>');
}

/**
 * A run that outlived its time limit. It rejects rather than resolving with signal SIGKILL, so a
 * hung CLI can never pass for a planned kill in the crash tests.
 */
export class CliTimeout extends Error {
  constructor(readonly args: string[], readonly timeoutMs: number, readonly stdout: string, readonly stderr: string) {
    super(`clfsload ${args.map(redactSas).join(' ')}: still running after ${timeoutMs} ms, killed (a hang, not a planned kill)\n${stdout.slice(-2000)}${stderr.slice(-2000)}`);
    this.name = 'CliTimeout';
  }
}

/** Runs `node <cli> ...args` and collects its output; rejects with CliTimeout when it outlives `timeoutMs`. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const cmd = [...(opts.prefix ?? []), process.execPath, cli, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new CliTimeout(args, timeoutMs, stdout, stderr));
      else resolve({ code, signal, stdout, stderr });
    });
    opts.onSpawn?.(child);
  });
}

/** The value after `label:` in a text summary. */
export function summaryField(stdout: string, label: string): string | undefined {
  const m = new RegExp(`^${label.replace(/[()]/g, '\\$&')}: (.*)$`, 'm').exec(stdout);
  return m?.[1];
}
