/** What `clfsload load` does (loaded when the command runs: other commands never pay its modules). */
import { rmdirSync } from 'node:fs';
import { AbortedError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { containerIdentity, describeLocation, openStore } from '../../store/open-store.js';
import { makeLocalDestination } from '../../store/local-destination.js';
import { checkSourceIsNotDestination, checkSourceRoot } from '../../load/source-check.js';
import { uploadStore } from '../upload-store.js';
import { Stats } from '../../progress/stats.js';
import { runLoad } from '../../load/run-load.js';
import { TooManyErrors } from '../../load/transfer.js';
import { dryRun } from '../../load/dry-run.js';
import type { LogLevel } from '../../load/job-log.js';
import { LoadOutput, type OutputType } from '../load-output.js';
import { escapeText } from '../../util/escape-name.js';
import { StateDir } from '../../state/state-dir.js';
import { checkSourceBeforeStart, holdsJob, refuseStateIsSource, refuseUrlStatePath } from '../../state/state-path.js';
import { redactCredentials } from '../../store/redact.js';

export interface LoadFlags {
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

export async function loadAction(source: string, destination: string, flags: LoadFlags): Promise<number> {
  refuseUrlStatePath(flags.statePath);
  const out = new LoadOutput(flags.outputType);
  const identity = containerIdentity(destination);
  // local puts skip the per-blob fsync: the job syncs the file system at checkpoints instead (load/checkpoints.ts)
  const base = openStore(destination, { local: { fsync: false } });
  checkSourceRoot(source); // before anything is written (load/source-check.ts)
  if (flags.dryRun) {
    const r = await dryRun(source, flags.preserveHardlinks, base);
    if (flags.outputType === 'json') out.json({ type: 'dry-run', ...r });
    else {
      out.log('INFO', `Dry run: nothing was written to ${escapeText(describeLocation(destination))}`);
      for (const [k, v] of Object.entries(r)) out.log('INFO', `${k}: ${v}`);
    }
    return r.failed > 0 ? EXIT.FAILED : EXIT.OK;
  }
  // Refused before anything is created: a new job's source, the state dir, the destination; then
  // the state dir and a local destination are made, one component at a time.
  if (!holdsJob(flags.statePath)) checkSourceBeforeStart(source);
  refuseStateIsSource(flags.statePath, source);
  const localDir = identity.startsWith('file://') ? identity.slice('file://'.length) : undefined;
  if (localDir !== undefined) checkSourceIsNotDestination(source, localDir);
  const stateDir = StateDir.open(flags.statePath);
  stateDir.close();
  if (localDir !== undefined) {
    try {
      makeLocalDestination(localDir);
    } catch (err) {
      // a refused start leaves nothing behind: the state dir this run just made is still empty
      if (stateDir.created) {
        try {
          rmdirSync(stateDir.path);
        } catch {
          // no longer empty (or gone): left as it is
        }
      }
      throw err;
    }
  }
  const stats = new Stats();
  const store = uploadStore(base, { capMbps: flags.capMbps, onRetry: () => { stats.retries++; } });
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
    source: redactCredentials(source), destination: describeLocation(destination), statePath: redactCredentials(flags.statePath), compressionType: flags.compressionType,
    preserveHardlinks: flags.preserveHardlinks, maxErrors: flags.maxErrors, concurrency: flags.concurrency ?? 'automatic',
    ...(flags.capMbps ? { capMbps: flags.capMbps } : {}),
  });
  out.startProgress(stats);
  try {
    const result = await runLoad({
      source, stateDir: flags.statePath, store, destinationIdentity: identity, newSession: flags.newSession,
      compression: flags.compressionType as 'LZ4' | 'DISABLED', preserveHardlinks: flags.preserveHardlinks,
      maxErrors: flags.maxErrors, logLevel: flags.logLevel as LogLevel, concurrency: flags.concurrency,
      signal: controller.signal, stats, onLog: out.listener,
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
