/** A once-every-2-seconds progress line on stderr, for long read commands (export). */
import { outputs } from './output-stream.js';

/** Starts rendering `line()` when `enabled`; returns a stop function that clears the line. */
export function startProgress(enabled: boolean, line: () => string, intervalMs = 2000): () => void {
  if (!enabled) return () => undefined;
  const tty = (outputs.stderr as NodeJS.WriteStream).isTTY === true;
  const draw = (): void => {
    outputs.stderr.write(tty ? `\r\x1b[K${line()}` : `${line()}\n`);
  };
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) outputs.stderr.write('\r\x1b[K');
  };
}
