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
import { escapeName } from '../util/escape-name.js';
import { claimDestination } from './dest-claim.js';

/** The bucket object's bytes: INIT's claims the destination (dest-claim.ts); FINALIZE's lists the logs. */
export function bucketBlob(ctx: LoadContext, logBlobs: string[] = []): Promise<Uint8Array> {
  return sealBlob(encodeObject({ kind: 'bucket', attrs: bucketAttrs(ctx.config.bucketUuid, logBlobs) }), ctx.compression);
}

/**
 * INIT: the bucket object is the first blob written, created only if the destination holds none,
 * so that of two jobs started on one empty destination only one goes on.
 */
export async function claimBucket(ctx: LoadContext): Promise<void> {
  await claimDestination(ctx.store, await bucketBlob(ctx), ctx.config.bucketUuid, ctx.config.destination, ctx.signal);
}

/** FINALIZE rewrites the bucket object with the logs (the destination is this job's: claimed at INIT, checked at each resume). */
export async function writeBucket(ctx: LoadContext, logBlobs: string[] = []): Promise<void> {
  await ctx.store.put(BUCKET_NAME, await bucketBlob(ctx, logBlobs), ctx.signal);
}

/**
 * problems.txt: one failed source path per line (§11.5 step 1). Unlike the spec's raw bytes, each
 * path is escaped (src/util/escape-name.ts: `\\`, `\n`, `\t`, `\r`, `\xNN`, `\uHHHH`), so a name holding a newline
 * stays one entry and cannot forge another; ordinary UTF-8 paths are unchanged.
 */
export function writeProblems(ctx: LoadContext): void {
  const paths = ctx.db.failedPaths();
  // A FINALIZE restarted after a resume that fixed every failure must not upload a stale list.
  if (paths.length === 0) return removeStateFile(ctx.db.dir, 'problems.txt');
  writeStateFile(ctx.db.dir, 'problems.txt', Buffer.from(paths.map((p) => `${escapeName(p)}\n`).join('')));
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
