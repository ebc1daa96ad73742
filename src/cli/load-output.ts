/** Renders a running load for the terminal: INFO lines, a progress line every 2 s, the summary. */
import type { LogLevel } from '../load/job-log.js';
import type { Stats } from '../progress/stats.js';
import { progressJson, progressLine, summaryJson, summaryText } from '../progress/render.js';
import type { StatsSnapshot } from '../progress/stats.js';

export type OutputType = 'text' | 'json';

export class LoadOutput {
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;
  private lineOpen = false;
  constructor(
    private readonly type: OutputType,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    this.tty = type === 'text' && Boolean(out.isTTY);
  }

  private write(line: string): void {
    if (this.lineOpen) {
      this.out.write('\n');
      this.lineOpen = false;
    }
    this.out.write(`${line}\n`);
  }

  json(obj: Record<string, unknown>): void {
    this.write(JSON.stringify(obj));
  }

  config(fields: Record<string, unknown>): void {
    if (this.type === 'json') return this.json({ type: 'config', ...fields });
    for (const [k, v] of Object.entries(fields)) this.write(`INFO: ${k}: ${String(v)}`);
  }

  log(level: LogLevel, message: string): void {
    if (this.type === 'json') return this.json({ type: 'info', level, message });
    this.write(`${level}: ${message}`);
  }

  progress(s: StatsSnapshot): void {
    if (this.type === 'json') return this.json(progressJson(s));
    if (this.tty) {
      this.out.write(`\r\x1b[2K${progressLine(s, true)}`);
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
