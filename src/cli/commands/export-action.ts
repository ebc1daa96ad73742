/** What `clfsload export` does (loaded when the command runs: other commands never pay its modules). */
import { EXIT } from '../exit-codes.js';
import { openReadContainer } from '../read-open.js';
import { outputs, writeOut } from '../output-stream.js';
import { startProgress } from '../output-progress.js';
import { escapeText } from '../../util/escape-name.js';
import { exportContainer, newExportCounters, type ExportResult } from '../../read/export.js';

export interface ExportFlags {
  outputType: 'text' | 'json';
  progress?: boolean;
  workers: number;
}

function summary(r: ExportResult): string {
  return `exported ${r.directories} directories, ${r.files} files (${r.bytes.toLocaleString('en-US')} bytes), ${r.symlinks} symlinks, ${r.hardLinks} extra hard links, ${r.specials} special files; ${r.skipped} skipped; ${r.errors} error(s), ${r.warnings} warning(s)`;
}

export async function exportAction(location: string, dest: string, opts: ExportFlags): Promise<void> {
  const c = await openReadContainer(location, { index: 'full', concurrency: Math.max(16, opts.workers * 2) });
  const counters = newExportCounters();
  const tty = (outputs.stderr as NodeJS.WriteStream).isTTY === true;
  const stop = startProgress(tty || opts.progress === true, () => `export: ${counters.directories} dirs, ${counters.files} files, ${(counters.bytes / 1048576).toFixed(1)} MiB`);
  let result: ExportResult;
  try {
    result = await exportContainer(c, dest, { workers: opts.workers, counters });
  } finally {
    stop();
  }
  if (opts.outputType === 'json') {
    await writeOut(JSON.stringify(result, null, 2) + '\n');
  } else {
    // names from the container, escaped: one line per issue, nothing raw reaches the terminal
    for (const i of result.issues) outputs.stderr.write(`clfsload: ${i.severity} ${i.code}: ${i.path === '' ? '/' : escapeText(i.path)}: ${escapeText(i.message)}\n`);
    await writeOut(summary(result) + '\n');
  }
  if (result.errors > 0) process.exitCode = EXIT.FAILED;
}
