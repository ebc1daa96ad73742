/**
 * The system liblz4 for small frames (native/lz4-block, src/load/native-lz4.ts): built and in use
 * once the loader hands it to the codec, the reference's exact bytes (A.6), frames any LZ4 decoder
 * reads, the §5.1 fallback rules as on the lz4-napi path (envelope.test.ts), argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Compression, openBlob, sealBlob, sealBlobSync } from '../../src/format/index.js';
import { NATIVE_FRAME_MAX, lz4FirstChunkStaysRaw, lz4FrameSync, lz4FrameSyncPortable, setNativeBlockCompressor } from '../../src/format/lz4-frame.js';
import { nativeLz4, nativeLz4Reason, useNativeLz4 } from '../../src/load/native-lz4.js';
import { LZ4_CHUNK } from '../../src/format/constants.js';
import { A51_FILE_INODE, A6_LZ4_BLOB } from './vectors.js';
import { referenceDir, referenceVariants } from '../helpers/paths.js';

useNativeLz4();

const lz4d = (frame: Uint8Array): Buffer => execFileSync('/usr/bin/lz4', ['-d', '-c'], { input: frame, maxBuffer: 64 << 20 });

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

/**
 * For each [label, payload, compresses]: liblz4 and lz4-napi decide alike, sealBlob and
 * sealBlobSync give the same bytes, and openBlob and `lz4 -d` give the payload back.
 */
async function checkFrames(cases: [string, Uint8Array, boolean][]): Promise<void> {
  for (const [label, payload, compresses] of cases) {
    const frame = lz4FrameSync(payload);
    assert.equal(frame !== undefined, compresses, label);
    assert.equal(lz4FrameSyncPortable(payload) !== undefined, compresses, `${label} (lz4-napi)`);
    const sealed = sealBlobSync(payload, Compression.LZ4);
    assert.deepEqual(Buffer.from(await sealBlob(payload, Compression.LZ4)), Buffer.from(sealed), label);
    assert.deepEqual(Buffer.from(openBlob(sealed).payload), Buffer.from(payload), label);
    if (frame) assert.deepEqual(lz4d(frame), Buffer.from(payload), label);
  }
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
  await checkFrames(cases);
});

test('every blob of the reference\'s LZ4 containers: sealing its payload again gives the reference\'s bytes', async () => {
  const seen = { compressed: 0, multiBlock: 0, stored: 0 };
  for (const variant of referenceVariants) {
    const dir = path.join(referenceDir, variant, 'container');
    const run = JSON.parse(readFileSync(path.join(referenceDir, variant, 'run.json'), 'utf8')) as { compression: string };
    if (run.compression !== 'LZ4') continue;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('output')) continue; // the tool's log files, not CLFS blobs
      const blob = readFileSync(path.join(dir, name));
      const { payload } = openBlob(blob, name);
      const label = `${variant}/${name} (${payload.length} bytes)`;
      assert.deepEqual(Buffer.from(sealBlobSync(payload, Compression.LZ4)), blob, label);
      assert.deepEqual(Buffer.from(await sealBlob(payload, Compression.LZ4)), blob, `${label}, async`);
      if (blob[2] === Compression.LZ4) seen.compressed++;
      else seen.stored++;
      if (blob[2] === Compression.LZ4 && payload.length > LZ4_CHUNK) seen.multiBlock++;
    }
  }
  // bigfile's 8 MiB and 1.1 MiB segments are linked multi-block frames; its 1 MiB of random data is stored.
  assert.ok(seen.compressed > 50 && seen.multiBlock >= 2 && seen.stored >= 1, JSON.stringify(seen));
});

test('linked frames: lz4 -d and openBlob read them, sync and async agree, and lz4-napi decides alike on clear cases', async () => {
  const text = textLike(3 * LZ4_CHUNK + 77, 7);
  const textThenRandom = Buffer.concat([textLike(LZ4_CHUNK, 8), random(2 * LZ4_CHUNK, 9)]);
  const cases: [string, Uint8Array, boolean][] = [
    ['text, 3 chunks and a tail', text, true],
    ['text of exactly 2 chunks', textLike(2 * LZ4_CHUNK, 10), true],
    ['text just above 64 KiB', textLike(NATIVE_FRAME_MAX + 1, 5), true],
    ['zeros, 8 MiB and a segment header', new Uint8Array(8 * 1024 * 1024 + 88), true],
    ['random, 1 MiB', random(4 * LZ4_CHUNK, 12), false],
    ['text, then random chunks (rule 2 on a later block)', textThenRandom, false],
  ];
  await checkFrames(cases);
  // Many at once on the thread pool, each with its own buffers: the same bytes as one by one.
  const payloads = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => textLike(LZ4_CHUNK + 1000 * i, 20 + i));
  const together = await Promise.all(payloads.map((p) => sealBlob(p, Compression.LZ4)));
  payloads.forEach((p, i) => assert.deepEqual(Buffer.from(together[i]), Buffer.from(sealBlobSync(p, Compression.LZ4)), `payload ${i}`));
});

test('linked frames: blocks that each shrink but add up to more than the payload are stored (rule 3)', () => {
  const native = nativeLz4();
  assert.ok(native, nativeLz4Reason());
  // A chunk of random bytes behind `zeros` zero bytes, and a random 4 KiB tail behind its own zeros.
  const L = LZ4_CHUNK + 4096;
  const rnd = random(L, 13);
  const make = (zeros0: number, zeros1: number): Buffer => {
    const p = Buffer.from(rnd);
    p.fill(0, 0, zeros0);
    p.fill(0, LZ4_CHUNK, LZ4_CHUNK + zeros1);
    return p;
  };
  const roomy = (p: Uint8Array): number => native.compressLinked(p, new Uint8Array(2 * L), 0);
  // First chunk: about the fewest zeros that make its block 10 bytes smaller than the chunk.
  const saved0 = (z: number): number => {
    const n = native.compressBlock(make(z, 0).subarray(0, LZ4_CHUNK), new Uint8Array(LZ4_CHUNK), 0);
    return n === 0 ? 0 : LZ4_CHUNK - n;
  };
  let zeros0 = 0;
  for (let step = 4096; step >= 1; step >>= 1) if (saved0(zeros0 + step) < 10) zeros0 += step;
  zeros0++;
  assert.ok(saved0(zeros0) >= 10 && saved0(zeros0) < 20, `${zeros0}: ${saved0(zeros0)}`);
  // Tail: bisect on its zeros for where the frame stops fitting in L + 4.
  const fits = (z: number): boolean => sealBlobSync(make(zeros0, z), Compression.LZ4)[2] === Compression.LZ4;
  let lo = 0; // does not fit
  let hi = 4096; // fits
  assert.ok(!fits(lo) && fits(hi), `${zeros0} ${roomy(make(zeros0, lo))} ${roomy(make(zeros0, hi))}`);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  const stored = make(zeros0, lo);
  const compressed = make(zeros0, hi);
  assert.ok(sealBlobSync(compressed, Compression.LZ4).length <= L + 4);
  // `stored` is refused for its total, not for a block that does not shrink: with room to spare
  // every block compresses, yet envelope + header + blocks + end mark exceed L + 4.
  const blocks = roomy(stored);
  assert.ok(blocks > 0 && 4 + 7 + blocks + 4 > L + 4, `${blocks}`);
  // lz4-napi (other block bytes, same rules) and the async path agree on the clear ends
  assert.equal(lz4FrameSyncPortable(make(zeros0, 0)), undefined);
  assert.notEqual(lz4FrameSyncPortable(make(zeros0, 4096)), undefined);
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

test('compressLinked and compressLinkedAsync refuse bad arguments and never write past dst', async () => {
  const native = nativeLz4();
  assert.ok(native, nativeLz4Reason());
  const src = textLike(LZ4_CHUNK + 500, 16);
  for (const call of [native.compressLinked, native.compressLinkedAsync]) {
    assert.throws(() => call(new Uint8Array(0), new Uint8Array(10), 0), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => call(src, new Uint8Array(10), 11), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => call('x' as unknown as Uint8Array, new Uint8Array(10), 0), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => (call as (...a: unknown[]) => unknown)(src, new Uint8Array(10)), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  // Too little room: 0, and the bytes after the room given stay untouched.
  const whole = new Uint8Array(4096).fill(0xaa);
  assert.equal(native.compressLinked(src, whole.subarray(0, 1000), 0), 0);
  assert.equal(await native.compressLinkedAsync(src, whole.subarray(0, 1000), 0), 0);
  assert.ok(whole.subarray(1000).every((b) => b === 0xaa));
  // `at` offsets the output
  const atZero = new Uint8Array(src.length);
  const n = native.compressLinked(src, atZero, 0);
  const at100 = new Uint8Array(src.length + 100);
  assert.ok(n > 0);
  assert.equal(native.compressLinked(src, at100, 100), n);
  assert.deepEqual(at100.subarray(100, 100 + n), atZero.subarray(0, n));
  assert.ok(at100.subarray(0, 100).every((b) => b === 0));
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

test('the first chunk alone tells a payload that is stored raw (§5.1 rule 2), with liblz4 and with lz4-napi', async () => {
  const L = 3 * LZ4_CHUNK + 100;
  const payloads = {
    random: random(L, 5),
    text: textLike(L, 6),
    'random, then text': Buffer.concat([random(LZ4_CHUNK, 7), textLike(L - LZ4_CHUNK, 8)]),
    'text, then random': Buffer.concat([textLike(LZ4_CHUNK, 9), random(L - LZ4_CHUNK, 10)]),
  };
  const expected = { random: true, text: false, 'random, then text': true, 'text, then random': false };
  for (const portable of [false, true]) {
    if (portable) setNativeBlockCompressor(undefined);
    try {
      for (const [name, p] of Object.entries(payloads)) {
        const raw = await lz4FirstChunkStaysRaw(p.subarray(0, LZ4_CHUNK), p.length);
        assert.equal(raw, expected[name as keyof typeof expected], `${name} (${portable ? 'lz4-napi' : 'liblz4'})`);
        // it never says raw where the whole payload compresses
        if (raw) assert.equal(lz4FrameSync(p), undefined, name);
      }
      assert.equal(await lz4FirstChunkStaysRaw(payloads.random.subarray(0, LZ4_CHUNK), LZ4_CHUNK), false, 'one chunk: the whole frame decides');
    } finally {
      useNativeLz4();
    }
  }
});

test('decoding: liblz4 gives lz4-napi\'s bytes for every LZ4 blob of the reference, linked blocks included; a malformed block fails', () => {
  let decoded = 0;
  for (const variant of referenceVariants) {
    const dir = path.join(referenceDir, variant, 'container');
    for (const name of readdirSync(dir)) {
      if (name.startsWith('output')) continue;
      const blob = readFileSync(path.join(dir, name));
      if (blob[2] !== Compression.LZ4) continue;
      const native = openBlob(blob, name).payload;
      setNativeBlockCompressor(undefined);
      try {
        assert.ok(Buffer.from(openBlob(blob, name).payload).equals(Buffer.from(native)), `${variant}/${name}`);
      } finally {
        useNativeLz4();
      }
      decoded++;
    }
  }
  assert.ok(decoded > 50, `${decoded} LZ4 blobs`);
  const frame = Buffer.from(sealBlobSync(textLike(3 * LZ4_CHUNK, 11), Compression.LZ4));
  frame.fill(0xff, 15, 15 + 64); // the first block's opening sequences: literal lengths that run past the block
  assert.throws(() => openBlob(frame, 'damaged'), (e: unknown) => e instanceof Error && /CLFS_BAD_LZ4|LZ4/.test(`${(e as { code?: string }).code} ${e.message}`));
  const native = nativeLz4()!;
  assert.throws(() => native.decompressBlock('x' as unknown as Uint8Array, new Uint8Array(1)), TypeError);
  assert.equal(native.decompressBlock(Uint8Array.of(0xf0), new Uint8Array(16)), -1, 'a literal run past the input');
});
