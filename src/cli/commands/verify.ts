/** `clfsload verify <container>`: a complete, read-only check of a CLFS container. */
import { Command, Option } from 'commander';
import { EXIT } from '../exit-codes.js';
import { openReadStore } from '../read-open.js';
import { renderVerifyText } from '../output-verify.js';
import { verifyContainer } from '../../read/verify.js';
import { writeOut } from '../output-stream.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description('check every object of a CLFS container (read-only); exit 0 only when no error is found')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .addOption(new Option('--output-type <type>', 'report format').choices(['text', 'json']).default('text'))
    .option('--workers <n>', 'objects checked at once', (v) => Number.parseInt(v, 10), 8)
    .action(async (location: string, opts: { outputType: 'text' | 'json'; workers: number }) => {
      const store = await openReadStore(location);
      const report = await verifyContainer(store, { workers: opts.workers, concurrency: Math.max(16, opts.workers * 2) });
      await writeOut(opts.outputType === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderVerifyText(report));
      if (!report.ok) process.exitCode = EXIT.FAILED;
    });
}
