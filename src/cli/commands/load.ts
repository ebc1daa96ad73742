/** `clfsload load <source-dir> <destination> --state-path <dir>`: the flags of `azcopy load clfs`. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { LIMITS, parseBool, parseCount, parseRange } from '../parse-flags.js';
import { defaultConcurrency } from '../../load/options.js';
import type { LoadFlags } from './load-action.js';

// LZ4 (sealBlob) and every fs call, fsync included, run on libuv's pool; its default 4 threads
// would leave most of our 64 writes in flight queued.
// Set before any pool use; an explicit value from the environment wins.
process.env.UV_THREADPOOL_SIZE ??= '64';

const EXAMPLES = `
Examples:
  # load into a local directory (no Azure account needed)
  clfsload load ./some/tree ./my-container --state-path ./my-state
  # load into an Azure container (URL with a SAS allowing read, add, create, write, delete, list)
  clfsload load /data/export 'https://acct.blob.core.windows.net/ctr?sv=...&sig=...' --state-path ~/.clfs/export
  # resume after an interruption: run the same command again
  # preview what would be written
  clfsload load ./some/tree ./my-container --state-path ./tmp-state --dry-run`;

export function register(program: Command): void {
  program
    .command('load')
    .description('Load a local directory tree into a container in the CLFS format (resumable: rerun the same command to continue)')
    .argument('<source-dir>', 'directory to load; its last path component names the root')
    .argument('<destination>', 'local directory, or Azure container URL with a SAS (e.g. https://acct.blob.core.windows.net/ctr?<SAS>)')
    .requiredOption('--state-path <dir>', 'directory holding the job state (database, logs); rerun with the same one to resume, e.g. --state-path ./my-state')
    .addOption(new Option('--new-session [bool]', 'true: start a new job and refuse if --state-path already holds one; false (default): resume a job found there, e.g. --new-session=true').argParser(parseBool))
    .addOption(new Option('--compression-type <type>', 'LZ4 or DISABLED, e.g. --compression-type DISABLED').default('LZ4').argParser((v) => {
      const u = v.toUpperCase();
      if (u !== 'LZ4' && u !== 'DISABLED') throw new InvalidArgumentError('expected LZ4 or DISABLED');
      return u;
    }))
    .addOption(new Option('--preserve-hardlinks [bool]', 'keep hard links as one object with several names, e.g. --preserve-hardlinks=true').default(false).argParser(parseBool))
    .addOption(new Option('--max-errors <n>', 'stop after this many failed entries; 0 = never stop, e.g. --max-errors 0').default(50).argParser(parseCount(LIMITS.maxErrors.min, LIMITS.maxErrors.max)))
    .addOption(new Option('--log-level <level>', 'DEBUG, INFO, WARNING or ERROR, e.g. --log-level WARNING').default('INFO').argParser((v) => {
      const u = v.toUpperCase();
      if (!['DEBUG', 'INFO', 'WARNING', 'ERROR'].includes(u)) throw new InvalidArgumentError('expected DEBUG, INFO, WARNING or ERROR');
      return u;
    }))
    .addOption(new Option('--output-type <type>', 'text or json (one JSON object per line), e.g. --output-type json').choices(['text', 'json']).default('text'))
    .addOption(new Option('--concurrency <n>', `objects written at once, twice as many small ones, ${LIMITS.concurrency.min} to ${LIMITS.concurrency.max} (default automatic: ${defaultConcurrency()}), e.g. --concurrency 128`).argParser(parseCount(LIMITS.concurrency.min, LIMITS.concurrency.max)))
    .addOption(new Option('--cap-mbps <n>', `cap the upload rate in megabits per second, ${LIMITS.capMbps.min} to ${LIMITS.capMbps.max.toLocaleString('en-US')}, e.g. --cap-mbps 100`).argParser(parseRange(LIMITS.capMbps.min, LIMITS.capMbps.max)))
    .option('--dry-run', 'scan the source and report what would be written; nothing is written to the destination')
    .addHelpText('after', EXAMPLES)
    .action(async (source: string, destination: string, flags: LoadFlags) => {
      const { loadAction } = await import('./load-action.js');
      process.exitCode = await loadAction(source, destination, flags);
    });
}
