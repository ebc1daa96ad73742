import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Compression, openBlob, sealBlob } from '../../src/format/envelope.js';
import { decodeHandles, encodeHandles, type Handle } from '../../src/format/handles.js';
import { HandleType } from '../../src/format/constants.js';

test('an uncompressed segment blob is a view over the encoded payload, with the 4-byte envelope in front', async () => {
  const data = randomBytes(300 * 1024);
  const handles: Handle[] = [{ type: HandleType.DATA, data }, { type: HandleType.NAME, name: Buffer.from('n') }];
  const payload = encodeHandles(handles);
  const blob = await sealBlob(payload, Compression.NONE);
  assert.equal(blob.buffer, payload.buffer);
  assert.deepEqual([...blob.subarray(0, 4)], [0, 0, 0, 0]);
  assert.deepEqual(Buffer.from(blob.subarray(4)), Buffer.from(payload));
  const back = decodeHandles(openBlob(blob).payload);
  assert.deepEqual(Buffer.from((back[0] as { data: Uint8Array }).data), data);
  // Random data with LZ4 falls back to type 0: same in-place view, and sealing twice is stable.
  const again = await sealBlob(payload, Compression.LZ4);
  assert.deepEqual(Buffer.from(again), Buffer.from(blob));
});

test('a payload the codec did not encode is copied, never written in front of', async () => {
  const backing = new Uint8Array(16).fill(7);
  const payload = backing.subarray(8);
  const blob = await sealBlob(payload, Compression.NONE);
  assert.notEqual(blob.buffer, backing.buffer);
  assert.deepEqual([...backing], new Array(16).fill(7));
  assert.deepEqual([...blob], [0, 0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7]);
});
