/** What `clfsload verify` does (loaded when the command runs: other commands never pay its modules). */
import { EXIT } from '../exit-codes.js';
import { openReadStore } from '../read-open.js';
import { renderVerifyText } from '../output-verify.js';
import { verifyContainer, type VerifyLive } from '../../read/verify.js';
import { outputs, writeOut } from '../output-stream.js';
import { startProgress } from '../output-progress.js';

export interface VerifyFlags {
  outputType: 'text' | 'json';
  workers: number;
  progress?: boolean;
}

export async function verifyAction(location: string, opts: VerifyFlags): Promise<void> {
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
}
