/** dest-claim.ts on a memory store: who owns a destination, by the bucket object's bucketUUID. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/store/memory-store.js';
import { Compression, sealBlob } from '../../src/format/envelope.js';
import { bucketAttrs, encodeObject } from '../../src/format/objects.js';
import { BUCKET_NAME } from '../../src/format/names.js';
import { ClfsError, StateError, UsageError } from '../../src/errors.js';
import { bucketOwner, checkDestinationOwned, claimDestination } from '../../src/load/dest-claim.js';

const OURS = '11111111-2222-4333-8444-555555555555';
const THEIRS = '99999999-2222-4333-8444-555555555555';
const bucket = (uuid: string) => sealBlob(encodeObject({ kind: 'bucket', attrs: bucketAttrs(uuid) }), Compression.LZ4);

function rejectsWith(p: Promise<unknown>, cls: abstract new (...args: never[]) => ClfsError, code: string, message: RegExp) {
  return assert.rejects(p, (err: unknown) => err instanceof cls && (err as ClfsError).code === code && message.test((err as Error).message));
}

test('claimDestination: creates the bucket object on a free destination; accepts its own; refuses another job\'s or an unreadable one', async () => {
  const store = new MemoryStore();
  await claimDestination(store, await bucket(OURS), OURS, 'memory://d');
  assert.deepEqual(await bucketOwner(store, OURS), { kind: 'ours' });
  await claimDestination(store, await bucket(OURS), OURS, 'memory://d'); // a resumed INIT
  await rejectsWith(claimDestination(store, await bucket(THEIRS), THEIRS, 'memory://d'), UsageError, 'CLFS_DEST_NOT_EMPTY', new RegExp(`bucket object of another job \\(bucketUUID ${OURS}\\)`));
  const junk = new MemoryStore();
  await junk.put(BUCKET_NAME, Buffer.from('not a CLFS blob'));
  await rejectsWith(claimDestination(junk, await bucket(OURS), OURS, 'memory://j'), UsageError, 'CLFS_DEST_NOT_EMPTY', /that is not this job's/);
});

test('checkDestinationOwned: its own passes; missing or another job\'s is CLFS_DEST_MISMATCH; unreadable only passes after a restart', async () => {
  const store = new MemoryStore();
  await rejectsWith(checkDestinationOwned(store, OURS, 'memory://d', false), StateError, 'CLFS_DEST_MISMATCH', /no longer holds this job's bucket object/);
  await rejectsWith(checkDestinationOwned(store, OURS, 'memory://d', true), StateError, 'CLFS_DEST_MISMATCH', /no longer holds/);
  await store.put(BUCKET_NAME, await bucket(OURS));
  assert.equal(await checkDestinationOwned(store, OURS, 'memory://d', false), undefined);
  await rejectsWith(checkDestinationOwned(store, THEIRS, 'memory://d', false), StateError, 'CLFS_DEST_MISMATCH', new RegExp(`another job's bucket object \\(bucketUUID ${OURS}; this job's is ${THEIRS}\\)`));
  const torn = (await bucket(OURS)).subarray(0, 10);
  await store.put(BUCKET_NAME, torn);
  await rejectsWith(checkDestinationOwned(store, OURS, 'memory://d', false), StateError, 'CLFS_DEST_MISMATCH', /that is not this job's/);
  assert.match((await checkDestinationOwned(store, OURS, 'memory://d', true)) ?? '', /unreadable after the restart.*FINALIZE writes it again/);
});
