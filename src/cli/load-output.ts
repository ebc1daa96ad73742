/**
 * Renders a running load for the terminal: INFO lines, a progress line every 2 s, the summary.
 * If the console goes away (a closed pipe: EPIPE; a full disk: ENOSPC; a hung-up terminal), the
 * load goes on: this stops writing, and the job log listener throws once so JobLog drops it and
 * notes the loss in output.txt (a load is a long job; losing the console must not lose it).
 */
import { ClfsError } from '../errors.js';
import { escapeText } from '../util/escape-name.js';
import type { LogLevel } from '../load/job-log.js';
import type { Stats } from '../progress/stats.js';
import { progressJson, progressLine, summaryJson, summaryText } from '../progress/render.js';
import type { StatsSnapshot } from '../progress/stats.js';

export type OutputType = 'text' | 'json';

export class LoadOutput {
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;
  private lineOpen = false;
  /** the error that ended the console, if it ended */
  lost: Error | undefined;
  constructor(
    private readonly type: OutputType,
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
  ) {
    this.tty = type === 'text' && Boolean(out.isTTY);
    out.on('error', (err: Error) => {
      this.lost ??= err;
    });
  }

  private raw(text: string): void {
    if (this.lost) return;
    try {
      this.out.write(text);
    } catch (err) {
      this.lost ??= err as Error;
    }
  }

  private write(line: string): void {
    if (this.lineOpen) {
      this.raw('\n');
      this.lineOpen = false;
    }
    this.raw(`${line}\n`);
  }

  /** Why the console is gone, as a short reason (the error code), or undefined while it works. */
  lostReason(): string | undefined {
    if (!this.lost) return undefined;
    return (this.lost as NodeJS.ErrnoException).code ?? this.lost.message;
  }

  /**
   * The job log's listener: prints the line, and throws once the console is gone so the job log
   * drops this listener and records why (JobLog.tell). Lines arrive already escaped.
   */
  readonly listener = (level: LogLevel, message: string): void => {
    const reason = this.lostReason();
    if (reason !== undefined) throw new ClfsError('CLFS_OUTPUT_CLOSED', `cannot write to standard output: ${reason}`);
    this.log(level, message);
  };

  json(obj: Record<string, unknown>): void {
    this.write(JSON.stringify(obj));
  }

  config(fields: Record<string, unknown>): void {
    if (this.type === 'json') return this.json({ type: 'config', ...fields });
    // values come from the command line (a path may hold a newline): escaped like the job log
    for (const [k, v] of Object.entries(fields)) this.write(`INFO: ${k}: ${escapeText(String(v))}`);
  }

  log(level: LogLevel, message: string): void {
    if (this.type === 'json') return this.json({ type: 'info', level, message });
    this.write(`${level}: ${message}`);
  }

  progress(s: StatsSnapshot): void {
    if (this.type === 'json') return this.json(progressJson(s));
    if (this.tty) {
      this.raw(`\r\x1b[2K${progressLine(s, true)}`);
      this.lineOpen = true;
    } else {
      this.write(progressLine(s));
    }
  }

  startProgress(stats: Stats, everyMs = 2000): void {
    this.timer = setInterval(() => this.progress(stats.snapshot()), everyMs);
    this.timer.unref();
  }

  stopProgress(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  summary(s: StatsSnapshot): void {
    if (this.type === 'json') return this.json(summaryJson(s));
    this.write('');
    this.write(summaryText(s));
  }
}
