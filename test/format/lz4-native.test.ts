/**
 * The system liblz4 for small frames (native/lz4-block, src/load/native-lz4.ts): built and in use
 * once the loader hands it to the codec, the reference's exact bytes (A.6), frames any LZ4 decoder
 * reads, the §5.1 fallback rules as on the lz4-napi path (envelope.test.ts), argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Compression, openBlob, sealBlob, sealBlobSync } from '../../src/format/index.js';
import { NATIVE_FRAME_MAX, lz4FrameSync, lz4FrameSyncPortable } from '../../src/format/lz4-frame.js';
import { nativeLz4, nativeLz4Reason, useNativeLz4 } from '../../src/load/native-lz4.js';
import { A51_FILE_INODE, A6_LZ4_BLOB } from './vectors.js';

useNativeLz4();

const lz4d = (frame: Uint8Array): Buffer => execFileSync('/usr/bin/lz4', ['-d', '-c'], { input: frame, maxBuffer: 1 << 20 });

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function textLike(n: number, seed: number): Uint8Array {
  const words = ['clfs', 'inode', 'segment', 'load', 'azure', 'blob', 'the', 'of', 'cache', 'avere'];
  const r = random(n, seed);
  const out = new Uint8Array(n);
  let at = 0;
  for (let i = 0; at < n; i++) {
    const w = Buffer.from(`${words[r[i % n] % words.length]} `);
    out.set(w.subarray(0, n - at), at);
    at += w.length;
  }
  return out;
}

test('the native helper is built and in use (npm ci builds it), on liblz4 1.9 like the reference', () => {
  const native = nativeLz4();
  assert.ok(native, nativeLz4Reason());
  assert.ok(native.version >= 10900 && native.version < 20000, `liblz4 ${native.version}`);
});

test('A.6: the inode of A.5.1 compresses to the reference blob byte for byte', async () => {
  assert.deepEqual(Buffer.from(sealBlobSync(A51_FILE_INODE, Compression.LZ4)), Buffer.from(A6_LZ4_BLOB));
  assert.deepEqual(Buffer.from(await sealBlob(A51_FILE_INODE, Compression.LZ4)), Buffer.from(A6_LZ4_BLOB));
});

test('small frames: lz4 -d and openBlob read them, sync and async agree, and both block codecs decide alike on clear cases', async () => {
  const cases: [string, Uint8Array, boolean][] = [
    ['text 4 KiB', textLike(4096, 1), true],
    ['text 64 KiB', textLike(NATIVE_FRAME_MAX, 2), true],
    ['zeros 1000', new Uint8Array(1000), true],
    ['zeros 17 (the frame costs more than it saves)', new Uint8Array(17), false],
    ['random 4 KiB', random(4096, 3), false],
    ['random 64 KiB', random(NATIVE_FRAME_MAX, 4), false],
    ['one byte', Uint8Array.of(7), false],
  ];
  for (const [label, payload, compresses] of cases) {
    const frame = lz4FrameSync(payload);
    assert.equal(frame !== undefined, compresses, label);
    assert.equal(lz4FrameSyncPortable(payload) !== undefined, compresses, `${label} (lz4-napi)`);
    const sealed = sealBlobSync(payload, Compression.LZ4);
    assert.deepEqual(Buffer.from(await sealBlob(payload, Compression.LZ4)), Buffer.from(sealed), label);
    assert.deepEqual(Buffer.from(openBlob(sealed).payload), Buffer.from(payload), label);
    if (frame) assert.deepEqual(lz4d(frame), Buffer.from(payload), label);
  }
});

test('above NATIVE_FRAME_MAX the frame is lz4-napi\'s, in sync and async alike', async () => {
  const payload = textLike(NATIVE_FRAME_MAX + 1, 5);
  const sync = sealBlobSync(payload, Compression.LZ4);
  assert.deepEqual(Buffer.from(sync.subarray(4)), Buffer.from(lz4FrameSyncPortable(payload)!));
  assert.deepEqual(Buffer.from(await sealBlob(payload, Compression.LZ4)), Buffer.from(sync));
});

test('compressBlock refuses bad arguments instead of writing out of bounds', () => {
  const native = nativeLz4();
  assert.ok(native, nativeLz4Reason());
  const src = textLike(1000, 6);
  assert.throws(() => native.compressBlock(src, new Uint8Array(998), 0), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.compressBlock(src, new Uint8Array(1000), 2), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.compressBlock(new Uint8Array(0), new Uint8Array(10), 0), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.compressBlock(new Uint8Array(262145), new Uint8Array(262145), 0), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => native.compressBlock('x' as unknown as Uint8Array, new Uint8Array(10), 0), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => native.compressBlock(src, new Uint16Array(1000) as unknown as Uint8Array, 0), { code: 'ERR_INVALID_ARG_TYPE' });
  const n = native.compressBlock(src, new Uint8Array(999), 0);
  assert.ok(n > 0 && n < 999, `${n}`);
});

test('fallback rule 3 with liblz4 blocks: total = L + 4 stays compressed, L + 5 does not', () => {
  const native = nativeLz4();
  assert.ok(native, nativeLz4Reason());
  const L = 3000;
  const rnd = random(L, 11);
  const make = (k: number): Uint8Array => {
    const p = new Uint8Array(L);
    p.set(rnd.subarray(0, k));
    return p;
  };
  // random(k) + zeros: the block grows with k; one block makes total = 4 + 7 + 4 + c + 4 = c + 19
  const withBlock = (target: number): Uint8Array | undefined => {
    for (let k = 0; k <= L; k++) if (native.compressBlock(make(k), new Uint8Array(L), 0) === target) return make(k);
    return undefined;
  };
  const equal = withBlock(L + 4 - 19);
  const over = withBlock(L + 5 - 19);
  assert.ok(equal && over, 'search found both payloads');
  const a = sealBlobSync(equal, Compression.LZ4);
  assert.equal(a[2], 1);
  assert.equal(a.length, L + 4);
  assert.equal(sealBlobSync(over, Compression.LZ4)[2], 0);
});
