/**
 * INIT's bucket object and FINALIZE (§11.5): problems.txt, log upload, bucket rewrite, and the
 * root published under its real name last (copy from tmp, then delete tmp).
 */
import { readStateFile, removeStateFile, writeStateFile } from '../state/state-file.js';
import { bucketAttrs } from '../format/objects.js';
import { openBlob, sealBlob } from '../format/envelope.js';
import { encodeObject } from '../format/objects.js';
import { BUCKET_NAME, TMP_ROOT_NAME, rootName } from '../format/names.js';
import { INITIAL_VERSION } from '../format/constants.js';
import { StoreError } from '../errors.js';
import type { LoadContext } from './context.js';

/** Writes the bucket object (INIT writes it first of all; FINALIZE rewrites it with the logs). */
export async function writeBucket(ctx: LoadContext, logBlobs: string[] = []): Promise<void> {
  const blob = await sealBlob(encodeObject({ kind: 'bucket', attrs: bucketAttrs(ctx.config.bucketUuid, logBlobs) }), ctx.compression);
  await ctx.store.put(BUCKET_NAME, blob, ctx.signal);
}

/** problems.txt: one failed source path per line, raw bytes (§11.5 step 1). */
export function writeProblems(ctx: LoadContext): void {
  const paths = ctx.db.failedPaths();
  // A FINALIZE restarted after a resume that fixed every failure must not upload a stale list.
  if (paths.length === 0) return removeStateFile(ctx.db.dir, 'problems.txt');
  const nl = Buffer.from('\n');
  writeStateFile(ctx.db.dir, 'problems.txt', Buffer.concat(paths.flatMap((p) => [p, nl])));
}

export async function finalize(ctx: LoadContext): Promise<void> {
  writeProblems(ctx);
  const logs = ctx.db.dir.names().filter((n) => n.endsWith('.txt')).sort();
  for (const name of logs) {
    // Raw bytes, no envelope; the job log never holds a SAS (JobLog scrubs every line).
    // O_NOFOLLOW: a link planted under a log's name is refused, never uploaded in its place
    await ctx.store.put(name, new Uint8Array(readStateFile(ctx.db.dir, name)), ctx.signal);
  }
  await writeBucket(ctx, logs);
  ctx.hook('before-root-publish');
  const real = rootName(INITIAL_VERSION);
  let tmp: Uint8Array | undefined;
  try {
    tmp = await ctx.store.get(TMP_ROOT_NAME, ctx.signal);
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'CLFS_STORE_NOT_FOUND')) throw err;
  }
  if (tmp === undefined) {
    // A restarted FINALIZE: the copy was made, only the tmp delete may have happened too.
    if ((await ctx.store.head(real, ctx.signal)) === undefined) {
      throw new StoreError('CLFS_STORE_NOT_FOUND', `neither ${TMP_ROOT_NAME} nor ${real} exists`, { blob: TMP_ROOT_NAME });
    }
  } else {
    const { payload } = openBlob(tmp, TMP_ROOT_NAME);
    await ctx.store.put(real, await sealBlob(payload, ctx.compression), ctx.signal);
    ctx.hook('after-root-publish');
    // No sync between: a restart of the machine that loses the copy sends the job back to TRANSFER,
    // which writes the tmp root again (checkpoints.ts).
    await ctx.store.delete(TMP_ROOT_NAME, ctx.signal);
  }
}
