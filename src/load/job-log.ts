/** The job log: `output.txt` in the state dir (uploaded at FINALIZE), plus listeners for the CLI. */
import { closeSync, writeSync } from 'node:fs';
import { escapeText } from '../util/escape-name.js';
import type { StateDir } from '../state/state-dir.js';
import { openStateFile } from '../state/state-file.js';
import { redactCredentials } from '../store/redact.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };

export type LogListener = (level: LogLevel, message: string) => void;

/** Strips anything that looks like a SAS query or signature from a line (defence in depth). */
export function scrub(message: string): string {
  return redactCredentials(message).replace(/\?[^\s'"]*(sig|sv|se|sp)=[^\s'"]*/gi, '?<redacted>').replace(/sig=[^&\s'"]*/gi, 'sig=<redacted>');
}

/**
 * Appends lines to output.txt. Every line is escaped (src/util/escape-name.ts: `\n`, `\\`, `\xNN`, `\uHHHH`), so a source
 * name holding a newline or a terminal escape cannot forge a line, here or on the console.
 * Writes go straight to the file descriptor: lines are few (phases, failures, warnings), so no
 * buffering is needed and a crash loses nothing.
 */
export class JobLog {
  private fd: number | undefined;
  private listeners: LogListener[] = [];
  /** why a listener (the console) failed, once one did: the file then holds the only full log */
  private listenerLost: string | undefined;
  constructor(
    stateDir: StateDir | string,
    private readonly level: LogLevel = 'INFO',
  ) {
    // O_NOFOLLOW from the dir's descriptor: a planted `output.txt -> /victim` is refused, not appended to
    this.fd = openStateFile(stateDir, 'output.txt', 'append');
  }

  onLine(l: LogListener): void {
    this.listeners.push(l);
  }

  log(level: LogLevel, message: string, toListeners = true): void {
    if (RANK[level] < RANK[this.level]) return;
    const clean = escapeText(scrub(message));
    this.write(level, clean);
    if (toListeners) for (const l of this.listeners) this.tell(l, level, clean);
  }

  private write(level: LogLevel, line: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, `${new Date().toISOString()} ${level} ${line}\n`);
    } catch {
      // a full or failing state disk must not turn a log line into the job's error: the listeners
      // (the terminal) still get every line, and the database error that follows says what to do
    }
  }

  /**
   * A listener that throws (the console is gone: EPIPE, ENOSPC) is dropped and the job goes on:
   * losing the terminal of a long job must not lose the job. The file says so, once.
   */
  private tell(l: LogListener, level: LogLevel, line: string): void {
    try {
      l(level, line);
    } catch (err) {
      this.listeners = this.listeners.filter((x) => x !== l);
      this.listenerLost ??= escapeText(scrub((err as Error)?.message ?? String(err)));
      this.write('WARNING', `console output lost (${this.listenerLost}): the load goes on and logs to this file only`);
    }
  }
  debug(m: string): void { this.log('DEBUG', m); }
  /** Whether lines of `level` are kept: lets a caller skip building a per-object line nobody reads. */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }
  info(m: string): void { this.log('INFO', m); }
  warn(m: string): void { this.log('WARNING', m); }
  error(m: string): void { this.log('ERROR', m); }

  close(): void {
    if (this.listenerLost !== undefined) this.write('WARNING', `the console was lost during this run (${this.listenerLost}); this file holds the complete log`);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
