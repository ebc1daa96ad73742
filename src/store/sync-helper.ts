/**
 * `sync -f DIR` on request, from one long-lived shell. Node has no syncfs, and spawning
 * `sync` per durability barrier forked this whole process each time: ~10 ms of the main
 * thread per barrier at 200 MB of RSS, 11 % of a small-file load. The shell is started
 * once and forks only itself. It exits when our end of its stdin closes, also when this
 * process is killed.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

// $1 is the directory (an argument, so no quoting or newline in it can matter); each input
// line asks for one sync, answered by one line with its exit status.
const LOOP = 'while read -r _; do sync -f -- "$1" 2>/dev/null; echo $?; done';

export class SyncHelper {
  private child: ChildProcessByStdio<Writable, Readable, null> | undefined;
  private readonly waiting: ((status: number | undefined) => void)[] = [];
  private broken = false;

  constructor(private readonly dir: string) {}

  /** Flushes the file system holding `dir`; a failure is retold by a direct `sync -f` (its error). */
  async sync(): Promise<void> {
    const status = await this.ask();
    if (status === 0) return;
    // Failed, or the helper is gone: run sync directly, which throws with the real reason.
    await execFileAsync('sync', ['-f', '--', this.dir]);
  }

  close(): void {
    this.broken = true;
    this.child?.stdin.end();
    this.child = undefined;
    for (const w of this.waiting.splice(0)) w(undefined);
  }

  /** The status line for one request; undefined when the helper cannot run. */
  private ask(): Promise<number | undefined> {
    const child = this.ensureChild();
    if (!child) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      // While an answer is due, its pipe keeps the process alive (it is unref'd otherwise).
      if (this.waiting.length === 0) refStream(child.stdout, true);
      this.waiting.push(resolve);
      child.stdin.write('\n');
    });
  }

  /** The running shell, started if there is none; undefined once it cannot run. */
  private ensureChild(): ChildProcessByStdio<Writable, Readable, null> | undefined {
    if (this.child || this.broken) return this.child;
    const child = spawn('/bin/sh', ['-c', LOOP, 'clfsload-sync', this.dir], { stdio: ['pipe', 'pipe', 'ignore'] });
    const fail = () => {
      if (this.child !== child) return;
      this.broken = true;
      this.child = undefined;
      for (const w of this.waiting.splice(0)) w(undefined);
    };
    child.on('error', fail);
    child.on('exit', fail);
    child.stdin.on('error', fail);
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.waiting.shift()?.(Number(line));
      if (this.waiting.length === 0) refStream(child.stdout, false);
    });
    // An idle helper does not keep this process alive.
    child.unref();
    refStream(child.stdin, false);
    refStream(child.stdout, false);
    this.child = child;
    return child;
  }
}

/** Pipes to a child are net.Sockets underneath: ref/unref decide whether they hold the event loop. */
function refStream(stream: Readable | Writable, on: boolean): void {
  const s = stream as unknown as { ref?: () => void; unref?: () => void };
  if (on) s.ref?.();
  else s.unref?.();
}
