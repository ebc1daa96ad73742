/**
 * Test-only preload for CLI children racing on one local destination (NODE_OPTIONS=--import):
 * the first listing of CLFS_RACE_DEST (the new job's "is it empty?" check) returns its answer
 * only once CLFS_RACE_COUNT processes have got theirs, so every racer has seen the destination
 * empty before any can claim it: the race a real start-up leaves to timing, made certain.
 * Arrivals are files in CLFS_RACE_DIR. After 60 s a racer goes on alone.
 */
import fs, { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

const dest = process.env.CLFS_RACE_DEST;
const dir = process.env.CLFS_RACE_DIR;
const count = Number(process.env.CLFS_RACE_COUNT ?? '2');

if (dest && dir && isMainThread) {
  const readdir = fs.promises.readdir;
  let waited = false;
  const patched = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    const result = await (readdir as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    if (!waited && args[0] === dest) {
      waited = true;
      writeFileSync(path.join(dir, String(process.pid)), '');
      const until = Date.now() + 60_000;
      while (readdirSync(dir).length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    }
    return result;
  };
  fs.promises.readdir = patched as typeof fs.promises.readdir;
}
