/** The in-place segment framer writes exactly what the generic encoder writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  Compression, SEGMENT_DATA_OFFSET, decodeObject, encodeObject, fileSegmentOffset, openBlob, sealBlob, sealBlobSync,
  segmentFrame, segmentFrameEnds, writeSegmentFrame, type Databack,
} from '../../src/format/index.js';
import { FormatError } from '../../src/errors.js';
import { referenceDir } from '../helpers/paths.js';
import { A54_FILE_SEGMENT, F } from './vectors.js';

/** Frames `data` the way the loader does: copied into a dirty, oversized buffer at dataOffset. */
function frameInPlace(data: Uint8Array, databack: Databack, slack = 64): { blob: Uint8Array; payload: Uint8Array } {
  const frame = segmentFrame(data.length, databack);
  const buf = new Uint8Array(frame.blobBytes + slack).fill(0xa5); // leftovers of an earlier segment
  buf.set(data, frame.dataOffset);
  return writeSegmentFrame(buf, data.length, frame);
}

/** Any DATABACK the format can hold. */
const anyDataback = fc.record({
  ctime: fc.integer({ min: 0, max: 0xffffffff }),
  offset: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  owner: fc.uint8Array({ minLength: 0, maxLength: 40 }),
});

test('Appendix A.5.4: the framed segment is the vector, behind a zero envelope', () => {
  const data = new TextEncoder().encode('segment payload!');
  const { blob, payload } = frameInPlace(data, { ctime: 1600000001, offset: fileSegmentOffset(1), owner: F });
  assert.deepEqual(Buffer.from(payload), Buffer.from(A54_FILE_SEGMENT));
  assert.deepEqual([...blob.subarray(0, 4)], [0, 0, 0, 0]);
  assert.equal(SEGMENT_DATA_OFFSET, 28);
});

test('any data and DATABACK: byte-equal to sealBlobSync(encodeObject(...)) with compression off', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 5000 }), anyDataback, (data, db) => {
      const want = sealBlobSync(encodeObject({ kind: 'file-segment', data, databack: db }), Compression.NONE);
      assert.deepEqual(Buffer.from(frameInPlace(data, db).blob), Buffer.from(want));
    }),
    { numRuns: 300 },
  );
});

test('head + data + tail (segmentFrameEnds, for copies that never read the data) is the framed blob', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 5000 }), anyDataback, (data, db) => {
      const frame = segmentFrame(data.length, db);
      const { head, tail } = segmentFrameEnds(data.length, frame);
      assert.equal(head.length, SEGMENT_DATA_OFFSET);
      assert.deepEqual(Buffer.concat([head, data, tail]), Buffer.from(frameInPlace(data, db).blob));
    }),
    { numRuns: 300 },
  );
  // a full 8 MiB segment, and the spec's vector
  const full = new Uint8Array(8 * 1024 * 1024).fill(7);
  const db = { ctime: 1600000001, offset: fileSegmentOffset(2), owner: F };
  const ends = segmentFrameEnds(full.length, segmentFrame(full.length, db));
  assert.ok(Buffer.concat([ends.head, full, ends.tail]).equals(frameInPlace(full, db).blob));
  const vector = new TextEncoder().encode('segment payload!');
  const v = segmentFrameEnds(vector.length, segmentFrame(vector.length, { ctime: 1600000001, offset: fileSegmentOffset(1), owner: F }));
  assert.deepEqual(Buffer.concat([v.head, vector, v.tail]).subarray(4), Buffer.from(A54_FILE_SEGMENT));
});

test('with LZ4, sealing the framed payload gives the generic bytes; incompressible data stays in place', async () => {
  const databack = { ctime: 7, offset: fileSegmentOffset(3), owner: F };
  const text = Buffer.alloc(300 * 1024, 'the quick brown fox ');
  const random = new Uint8Array(300 * 1024).map((_, i) => (i * 2654435761) >>> 13);
  for (const data of [text, random]) {
    const framed = frameInPlace(data, databack);
    const sealed = await sealBlob(framed.payload, Compression.LZ4);
    const want = await sealBlob(encodeObject({ kind: 'file-segment', data, databack }), Compression.LZ4);
    assert.deepEqual(Buffer.from(sealed), Buffer.from(want));
    if (openBlob(sealed).compression === Compression.NONE) assert.equal(sealed.buffer, framed.blob.buffer, 'no copy');
    const obj = decodeObject(openBlob(sealed).payload);
    assert.ok(obj.kind === 'file-segment' && Buffer.from(obj.data).equals(data));
  }
});

test('every uncompressed segment the reference wrote is reproduced by the framer', () => {
  const dir = path.join(referenceDir, 'basic-nocompress', 'container');
  let seen = 0;
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(path.join(dir, name));
    let obj;
    try {
      obj = decodeObject(openBlob(bytes, name).payload, name);
    } catch {
      continue; // log blobs
    }
    if (obj.kind !== 'file-segment') continue;
    seen++;
    assert.ok(Buffer.from(frameInPlace(obj.data, obj.databack).blob).equals(bytes), name);
  }
  assert.ok(seen > 0, 'the fixture holds file segments');
});

test('a buffer smaller than the blob, or a bad length, is refused', () => {
  const databack = { ctime: 1, offset: 0n, owner: F };
  const frame = segmentFrame(10, databack);
  assert.throws(() => writeSegmentFrame(new Uint8Array(frame.blobBytes - 1), 10, frame), FormatError);
  assert.throws(() => segmentFrame(-1, databack), FormatError);
  assert.throws(() => segmentFrame(1.5, databack), FormatError);
});
