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
  timeoutMs?: number;
}

/** Runs `node <cli> ...args` and collects its output. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const cmd = [...(opts.prefix ?? []), process.execPath, cli, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    opts.onSpawn?.(child);
  });
}

/** The value after `label:` in a text summary. */
export function summaryField(stdout: string, label: string): string | undefined {
  const m = new RegExp(`^${label.replace(/[()]/g, '\\$&')}: (.*)$`, 'm').exec(stdout);
  return m?.[1];
}
