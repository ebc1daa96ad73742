/** `clfsload verify <container>`: a complete, read-only check of a CLFS container. */
import { Command, Option } from 'commander';
import { EXIT } from '../exit-codes.js';
import { openReadStore } from '../read-open.js';
import { renderVerifyText } from '../output-verify.js';
import { verifyContainer, type VerifyLive } from '../../read/verify.js';
import { outputs, writeOut } from '../output-stream.js';
import { startProgress } from '../output-progress.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description('check every object of a CLFS container (read-only); exit 0 only when no error is found')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .addOption(new Option('--output-type <type>', 'report format').choices(['text', 'json']).default('text'))
    .option('--workers <n>', 'objects checked at once', (v) => Number.parseInt(v, 10), 8)
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .action(async (location: string, opts: { outputType: 'text' | 'json'; workers: number; progress?: boolean }) => {
      const store = await openReadStore(location);
      const live: VerifyLive = {};
      const tty = (outputs.stderr as NodeJS.WriteStream).isTTY === true;
      const stop = startProgress(tty || opts.progress === true, () => `verify: ${live.stats?.inodes ?? 0} inodes, ${live.counters?.blobs ?? 0} blobs read, ${((live.counters?.storedBytes ?? 0) / 1048576).toFixed(1)} MiB`);
      let report;
      try {
        report = await verifyContainer(store, { workers: opts.workers, concurrency: Math.max(16, opts.workers * 2), live });
      } finally {
        stop();
      }
      await writeOut(opts.outputType === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderVerifyText(report));
      if (!report.ok) process.exitCode = EXIT.FAILED;
    });
}
