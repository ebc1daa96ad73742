/** `clfsload export <container> <dest-dir>`: rebuild the container's tree in a new local directory. */
import { Command, Option } from 'commander';
import { EXIT } from '../exit-codes.js';
import { openReadContainer } from '../read-open.js';
import { outputs, writeOut } from '../output-stream.js';
import { startProgress } from '../output-progress.js';
import { exportContainer, newExportCounters, type ExportResult } from '../../read/export.js';

function summary(r: ExportResult): string {
  return `exported ${r.directories} directories, ${r.files} files (${r.bytes.toLocaleString('en-US')} bytes), ${r.symlinks} symlinks, ${r.hardLinks} extra hard links, ${r.specials} special files; ${r.skipped} skipped; ${r.errors} error(s), ${r.warnings} warning(s)`;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('rebuild a CLFS container\'s tree (contents, modes, times, owners as root, links, specials) in <dest-dir>, which must be empty or missing')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .argument('<dest-dir>', 'where to write the tree')
    .addOption(new Option('--output-type <type>', 'report format').choices(['text', 'json']).default('text'))
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .option('--workers <n>', 'objects exported at once', (v) => Number.parseInt(v, 10), 8)
    .action(async (location: string, dest: string, opts: { outputType: 'text' | 'json'; progress?: boolean; workers: number }) => {
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
        for (const i of result.issues) outputs.stderr.write(`clfsload: ${i.severity} ${i.code}: ${i.path === '' ? '/' : i.path}: ${i.message}\n`);
        await writeOut(summary(result) + '\n');
      }
      if (result.errors > 0) process.exitCode = EXIT.FAILED;
    });
}
