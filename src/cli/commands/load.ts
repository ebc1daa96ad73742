/** `clfsload load <source-dir> <destination> --state-path <dir>`: the flags of `azcopy load clfs`. */
import { mkdirSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AbortedError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { containerIdentity, describeLocation, openStore } from '../../store/open-store.js';
import { RetryingStore } from '../../store/retrying-store.js';
import { RateLimitedStore } from '../../store/rate-limited-store.js';
import type { BlobStore } from '../../store/blob-store.js';
import { Stats } from '../../progress/stats.js';
import { runLoad, defaultConcurrency } from '../../load/run-load.js';
import { TooManyErrors } from '../../load/transfer.js';
import { dryRun } from '../../load/dry-run.js';
import type { LogLevel } from '../../load/job-log.js';
import { LoadOutput, type OutputType } from '../load-output.js';

// LZ4 (sealBlob) and every fs call, fsync included, run on libuv's pool; its default 4 threads
// would leave most of our 64 writes in flight queued.
// Set before any pool use; an explicit value from the environment wins.
process.env.UV_THREADPOOL_SIZE ??= '64';

function parseBool(v: string | undefined): boolean {
  if (v === undefined || v === '' || /^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw new InvalidArgumentError('expected true or false');
}

function parseCount(min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

interface LoadFlags {
  statePath: string;
  newSession?: boolean;
  compressionType: string;
  preserveHardlinks: boolean;
  maxErrors: number;
  logLevel: string;
  outputType: OutputType;
  concurrency?: number;
  capMbps?: number;
  dryRun?: boolean;
}

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
    .addOption(new Option('--max-errors <n>', 'stop after this many failed entries; 0 = never stop, e.g. --max-errors 0').default(50).argParser(parseCount(0)))
    .addOption(new Option('--log-level <level>', 'DEBUG, INFO, WARNING or ERROR, e.g. --log-level WARNING').default('INFO').argParser((v) => {
      const u = v.toUpperCase();
      if (!['DEBUG', 'INFO', 'WARNING', 'ERROR'].includes(u)) throw new InvalidArgumentError('expected DEBUG, INFO, WARNING or ERROR');
      return u;
    }))
    .addOption(new Option('--output-type <type>', 'text or json (one JSON object per line), e.g. --output-type json').choices(['text', 'json']).default('text'))
    .addOption(new Option('--concurrency <n>', `objects written at once, twice as many small ones (default automatic: ${defaultConcurrency()}), e.g. --concurrency 128`).argParser(parseCount(1)))
    .addOption(new Option('--cap-mbps <n>', 'cap the upload rate in megabits per second, e.g. --cap-mbps 100').argParser(parsePositive))
    .option('--dry-run', 'scan the source and report what would be written; nothing is written to the destination')
    .addHelpText('after', EXAMPLES)
    .action(async (source: string, destination: string, flags: LoadFlags) => {
      process.exitCode = await loadAction(source, destination, flags);
    });
}

async function loadAction(source: string, destination: string, flags: LoadFlags): Promise<number> {
  const out = new LoadOutput(flags.outputType);
  const identity = containerIdentity(destination);
  // local puts skip the per-blob fsync: the job's database batches wait on one sync barrier instead
  const base = openStore(destination, { local: { fsync: false } });
  if (flags.dryRun) {
    const r = await dryRun(source, flags.preserveHardlinks, base);
    if (flags.outputType === 'json') out.json({ type: 'dry-run', ...r });
    else {
      out.log('INFO', `Dry run: nothing was written to ${describeLocation(destination)}`);
      for (const [k, v] of Object.entries(r)) out.log('INFO', `${k}: ${v}`);
    }
    return r.failed > 0 ? EXIT.FAILED : EXIT.OK;
  }
  if (identity.startsWith('file://')) mkdirSync(identity.slice('file://'.length), { recursive: true });
  const stats = new Stats();
  // every retry counts at once, so the job log's totals and the summary agree
  const retrying = new RetryingStore(base, { onRetry: () => { stats.retries++; } });
  const store: BlobStore = flags.capMbps ? new RateLimitedStore(retrying, { capMbps: flags.capMbps }) : retrying;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.ABORTED);
    out.log('WARNING', 'Interrupted: finishing writes in flight, then stopping (press Ctrl-C again to quit at once)');
    controller.abort();
  };
  // SIGTERM (service managers, container runtimes) stops as gracefully as Ctrl-C.
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  out.config({
    source, destination: describeLocation(destination), statePath: flags.statePath, compressionType: flags.compressionType,
    preserveHardlinks: flags.preserveHardlinks, maxErrors: flags.maxErrors, concurrency: flags.concurrency ?? 'automatic',
    ...(flags.capMbps ? { capMbps: flags.capMbps } : {}),
  });
  out.startProgress(stats);
  try {
    const result = await runLoad({
      source, stateDir: flags.statePath, store, destinationIdentity: identity, newSession: flags.newSession,
      compression: flags.compressionType as 'LZ4' | 'DISABLED', preserveHardlinks: flags.preserveHardlinks,
      maxErrors: flags.maxErrors, logLevel: flags.logLevel as LogLevel, concurrency: flags.concurrency,
      signal: controller.signal, stats, onLog: (level, msg) => out.log(level, msg),
      exclude: [flags.statePath, ...(identity.startsWith('file://') ? [identity.slice('file://'.length)] : [])],
    });
    if (result.alreadyDone) out.log('INFO', 'This job already completed; nothing was written. Its final summary:');
    out.stopProgress();
    out.summary(result.alreadyDone ? result.snapshot : stats.snapshot());
    return result.snapshot.status === 'Completed' ? EXIT.OK : EXIT.FAILED;
  } catch (err) {
    out.stopProgress();
    if (err instanceof AbortedError || controller.signal.aborted) {
      stats.status = 'Aborted';
      out.summary(stats.snapshot());
      return EXIT.ABORTED;
    }
    if (err instanceof TooManyErrors) {
      stats.status = 'Failed';
      out.summary(stats.snapshot());
      return EXIT.FAILED;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
