/**
 * A destination belongs to the job whose bucket object it holds (§7: the bucket object's
 * `bucketUUID`, drawn when the job is created and kept in its state). A new job claims an empty
 * destination by creating that object exclusively, before it writes anything else there, so two
 * jobs started on one empty destination cannot both load into it; a resumed job first checks that
 * the object is still there and still its own, so a destination emptied or replaced meanwhile is
 * refused instead of being half rewritten.
 */
import { BUCKET_NAME } from '../format/names.js';
import { openBlob } from '../format/envelope.js';
import { decodeObject } from '../format/objects.js';
import { StateError, StoreError, UsageError } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';

/** What the destination's bucket object says about its owner. */
export type BucketOwner =
  | { kind: 'ours' }
  | { kind: 'missing' }
  | { kind: 'other'; uuid: string }
  | { kind: 'unreadable'; why: string };

/** Reads the destination's bucket object and compares its bucketUUID with the job's. */
export async function bucketOwner(store: BlobStore, bucketUuid: string, signal?: AbortSignal): Promise<BucketOwner> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(BUCKET_NAME, signal);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'CLFS_STORE_NOT_FOUND') return { kind: 'missing' };
    throw err;
  }
  let uuid: string | undefined;
  try {
    const obj = decodeObject(openBlob(bytes, BUCKET_NAME).payload, BUCKET_NAME);
    if (obj.kind !== 'bucket') return { kind: 'unreadable', why: `it holds a ${obj.kind} object` };
    uuid = obj.attrs.find(([k]) => k === 'bucketUUID')?.[1];
  } catch (err) {
    return { kind: 'unreadable', why: (err as Error).message };
  }
  if (uuid === undefined) return { kind: 'unreadable', why: 'it has no bucketUUID' };
  return uuid === bucketUuid ? { kind: 'ours' } : { kind: 'other', uuid };
}

/**
 * INIT: creates the bucket object only if the destination has none. Finding one is fine when it
 * is this job's (a resumed INIT whose claim had landed); any other means another job got there first.
 */
export async function claimDestination(store: BlobStore, bucket: Uint8Array, bucketUuid: string, destination: string, signal?: AbortSignal): Promise<void> {
  // A bucket object seen taken but gone when read was deleted in between: try again, a few times.
  for (let tries = 0; tries < 3; tries++) {
    if (await store.putIfAbsent(BUCKET_NAME, bucket, signal)) return;
    const owner = await bucketOwner(store, bucketUuid, signal);
    if (owner.kind === 'ours') return;
    if (owner.kind === 'missing') continue;
    const held = owner.kind === 'other' ? `the bucket object of another job (bucketUUID ${owner.uuid})` : `a ${BUCKET_NAME} that is not this job's (${owner.why})`;
    throw new UsageError(`destination ${destination} is not empty: it holds ${held}, so another load has claimed it; a new load needs an empty container`, { code: 'CLFS_DEST_NOT_EMPTY' });
  }
  throw new UsageError(`destination ${destination}: its bucket object ${BUCKET_NAME} keeps appearing and disappearing; another program is writing there`, { code: 'CLFS_DEST_NOT_EMPTY' });
}

/**
 * A resume past INIT (or of a finished job): the destination must still hold this job's bucket
 * object. `recovered`: the machine restarted (or a sync failed) since the job last ran; then a
 * bucket object that cannot be read is FINALIZE's rewrite torn by the power loss (the claim itself
 * was durable), and FINALIZE writes it again. Anything else means what the job wrote is gone.
 * Returns a warning to log, if any.
 */
export async function checkDestinationOwned(store: BlobStore, bucketUuid: string, destination: string, recovered: boolean, signal?: AbortSignal): Promise<string | undefined> {
  const owner = await bucketOwner(store, bucketUuid, signal);
  if (owner.kind === 'ours') return undefined;
  if (owner.kind === 'unreadable' && recovered) return `the bucket object of ${destination} is unreadable after the restart (${owner.why}); FINALIZE writes it again`;
  const found = owner.kind === 'missing'
    ? `no longer holds this job's bucket object ${BUCKET_NAME}: it was emptied, deleted or replaced after the job started`
    : owner.kind === 'other'
      ? `holds another job's bucket object (bucketUUID ${owner.uuid}; this job's is ${bucketUuid})`
      : `holds a ${BUCKET_NAME} that is not this job's (${owner.why})`;
  throw new StateError('CLFS_DEST_MISMATCH', `destination ${destination} ${found}, so the blobs this job recorded as written may be gone; this job cannot go on there. Load again into an empty destination with a new --state-path`);
}
