/** The envelope and LZ4 frame (§5): our frames against /usr/bin/lz4 and lz4's frames against openBlob. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { compressSync } from 'lz4-napi';
import { Compression, openBlob, sealBlob, sealBlobSync } from '../../src/format/index.js';
import { A51_FILE_INODE } from './vectors.js';

/** Deterministic pseudo-random bytes (xorshift32). */
function prng(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Text-like compressible bytes with long-range repeats (exercises the linked-block dictionary). */
function compressible(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const words = prng(4096, 7);
  for (let i = 0; i < n; i++) out[i] = 0x61 + (words[(i * 7 + (i >> 12)) % 4096] % 26);
  return out;
}

const lz4 = (args: string[], input: Uint8Array): Buffer => execFileSync('/usr/bin/lz4', args, { input, maxBuffer: 64 << 20 });
const HEADER = '0000010004224d18405077';

/** Block size words of a §5.1 frame (after envelope + 7-byte header). */
function blockWords(blob: Uint8Array): number[] {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const words: number[] = [];
  let p = 11;
  for (;;) {
    const w = dv.getUint32(p, true);
    words.push(w);
    if (w === 0) return words;
    p += 4 + (w & 0x7fffffff);
  }
}

const payloads: [string, Uint8Array][] = [
  ['A.5.1 inode', A51_FILE_INODE],
  ['1 MiB + 5000 compressible', compressible(1053576)],
  ['exactly one chunk', compressible(262144)],
  ['8 MiB zeros + 88', new Uint8Array(8388608 + 88)],
];

for (const [label, payload] of payloads) {
  test(`sealBlob LZ4 (${label}): header, blocks, lz4 -d, sync = async`, async () => {
    const sealed = await sealBlob(payload, Compression.LZ4);
    const sync = sealBlobSync(payload, Compression.LZ4);
    assert.ok(Buffer.from(sealed).equals(Buffer.from(sync)), 'sealBlob and sealBlobSync give identical bytes');
    assert.equal(Buffer.from(sealed.subarray(0, 11)).toString('hex'), HEADER);
    const words = blockWords(sealed);
    assert.equal(words.at(-1), 0, 'end mark');
    assert.equal(words.length - 1, Math.ceil(payload.length / 262144), 'one block per 256 KiB chunk');
    for (const w of words) assert.equal(w & 0x80000000, 0, 'no raw block');
    assert.equal(11 + words.reduce((n, w) => n + 4 + w, 0), sealed.length, 'no checksum after the end mark');
    assert.ok(lz4(['-d', '-c'], sealed.subarray(4)).equals(Buffer.from(payload)), 'lz4 -d gives the payload back');
    assert.deepEqual(Buffer.from(openBlob(sealed).payload), Buffer.from(payload));
  });
}

test('linked blocks never reach beyond 65535 bytes back (the LZ4 offset limit)', () => {
  // A random island sits exactly 65536 bytes before chunk 2, which starts with a copy of it.
  const p = new Uint8Array(2 * 262144);
  const island = prng(1000, 9);
  p.set(island, 262144 - 65536);
  p.set(island, 262144);
  p.set(island.subarray(1), 262144 + 65535 - 999 + 2000); // and one copy reachable at 65535
  const sealed = sealBlobSync(p, Compression.LZ4);
  assert.equal(sealed[2], 1);
  assert.ok(lz4(['-d', '-c'], sealed.subarray(4)).equals(Buffer.from(p)));
});

test('8 MiB of zeros compresses like the reference (33 blocks, far below the payload)', () => {
  const sealed = sealBlobSync(new Uint8Array(8388696), Compression.LZ4);
  assert.equal(blockWords(sealed).length, 34);
  assert.ok(sealed.length < 40000, `${sealed.length} bytes`);
});

test('a tail chunk too small to compress forces the whole blob to type 0 (rule 2)', () => {
  const p = compressible(262144 + 5);
  assert.equal(sealBlobSync(p, Compression.LZ4)[2], 0);
});

test('random data and tiny payloads fall back to type 0', async () => {
  for (const p of [prng(1048576, 3), prng(100, 4), new Uint8Array(0), Uint8Array.of(1)]) {
    for (const sealed of [sealBlobSync(p, Compression.LZ4), await sealBlob(p, Compression.LZ4)]) {
      assert.equal(Buffer.from(sealed.subarray(0, 4)).toString('hex'), '00000000');
      assert.ok(Buffer.from(sealed.subarray(4)).equals(Buffer.from(p)));
    }
  }
});

test('compression NONE writes the raw payload', () => {
  const sealed = sealBlobSync(A51_FILE_INODE, Compression.NONE);
  assert.equal(sealed.length, 4 + A51_FILE_INODE.length);
  assert.equal(Buffer.from(sealed.subarray(0, 4)).toString('hex'), '00000000');
  assert.throws(() => sealBlobSync(A51_FILE_INODE, 2), { code: 'CLFS_BAD_VALUE' });
});

/** random(k) + zeros so that lz4-napi's single-block output is exactly `target` bytes; searches k. */
function payloadWithBlockSize(L: number, target: number): Uint8Array | undefined {
  const rnd = prng(L, 11);
  const make = (k: number): Uint8Array => {
    const p = new Uint8Array(L);
    p.set(rnd.subarray(0, k));
    return p;
  };
  const size = (k: number): number => compressSync(Buffer.from(make(k))).length - 4;
  let lo = 0;
  let hi = L; // size grows with k: find the first k whose block reaches target, then scan nearby
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (size(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  for (let k = Math.max(0, lo - 40); k <= Math.min(L, lo + 40); k++) if (size(k) === target) return make(k);
  return undefined;
}

test('fallback rule 3 asymmetry: total = L + 4 stays compressed, L + 5 does not', () => {
  const L = 3000;
  // One block: total = 4 + 7 + 4 + c + 4 = c + 19.
  const equal = payloadWithBlockSize(L, L + 4 - 19);
  const over = payloadWithBlockSize(L, L + 5 - 19);
  assert.ok(equal && over, 'search found both payloads');
  const a = sealBlobSync(equal, Compression.LZ4);
  assert.equal(a[2], 1);
  assert.equal(a.length, L + 4);
  assert.equal(sealBlobSync(over, Compression.LZ4)[2], 0);
});

test('fallback rule 1: a full chunk that already reaches L + 4 falls back', () => {
  const L = 262144;
  // After the full chunk total = 15 + c; rule 1 fires for c ≥ L − 11 (still smaller than the chunk).
  const p = payloadWithBlockSize(L, L - 11);
  assert.ok(p, 'search found the payload');
  assert.equal(sealBlobSync(p, Compression.LZ4)[2], 0);
  // c = L − 15 passes rule 1 (total = L) and the final check (L + 4 = L + 4).
  const q = payloadWithBlockSize(L, L - 15);
  assert.ok(q);
  assert.equal(sealBlobSync(q, Compression.LZ4)[2], 1);
});

const lz4Variants: string[][] = [[], ['-B4'], ['-B5'], ['-B6'], ['-B7'], ['-BD'], ['--content-size'], ['--no-frame-crc'], ['-BX'], ['-B4', '-BD', '-BX', '--content-size'], ['-9']];

for (const args of lz4Variants) {
  test(`openBlob decodes frames written by lz4 ${args.join(' ') || '(default)'}`, () => {
    const payload = compressible(600000);
    const frame = lz4(['-c', ...args], payload);
    const blob = Buffer.concat([Buffer.from([0, 0, 1, 0]), frame]);
    assert.ok(Buffer.from(openBlob(blob).payload).equals(Buffer.from(payload)));
  });
}

test('openBlob decodes raw (stored) blocks from lz4', () => {
  const payload = prng(300000, 5);
  const blob = Buffer.concat([Buffer.from([0, 0, 1, 0]), lz4(['-c', '-B4'], payload)]);
  assert.ok(Buffer.from(openBlob(blob).payload).equals(Buffer.from(payload)));
});

test('openBlob decodes only the first frame and ignores trailing bytes', () => {
  const a = compressible(1000);
  const frame = lz4(['-c'], a);
  const blob = Buffer.concat([Buffer.from([0, 0, 1, 0]), frame, lz4(['-c'], Buffer.from('second')), Buffer.from('junk')]);
  assert.ok(Buffer.from(openBlob(blob).payload).equals(Buffer.from(a)));
});

test('checksums, content size and header checksum are verified', () => {
  const payload = compressible(5000);
  const frame = lz4(['-c', '-BX', '--content-size'], payload);
  const env = (f: Uint8Array) => Buffer.concat([Buffer.from([0, 0, 1, 0]), f]);
  const flip = (at: number) => {
    const f = Buffer.from(frame);
    f[at] ^= 1;
    return env(f);
  };
  assert.throws(() => openBlob(flip(frame.length - 1)), { code: 'CLFS_BAD_LZ4' }, 'content checksum');
  assert.throws(() => openBlob(flip(14)), { code: 'CLFS_BAD_LZ4' }, 'header checksum (over content size)');
  assert.throws(() => openBlob(flip(frame.length - 9)), { code: 'CLFS_BAD_LZ4' }, 'block checksum');
});

test('decoded size limit: CLFS_LIMIT', () => {
  const payload = compressible(100000);
  const blob = Buffer.concat([Buffer.from([0, 0, 1, 0]), lz4(['-c'], payload)]);
  assert.throws(() => openBlob(blob, 'b', { maxPayloadBytes: 50000 }), { code: 'CLFS_LIMIT' });
  const sized = Buffer.concat([Buffer.from([0, 0, 1, 0]), lz4(['-c', '--content-size'], payload)]);
  assert.throws(() => openBlob(sized, 'b', { maxPayloadBytes: 50000 }), { code: 'CLFS_LIMIT' });
  const raw = Buffer.concat([Buffer.from([0, 0, 0, 0]), payload]);
  assert.throws(() => openBlob(raw, 'b', { maxPayloadBytes: 50000 }), { code: 'CLFS_LIMIT' });
  assert.equal(openBlob(raw, 'b', { maxPayloadBytes: 100000 }).payload.length, 100000);
});

test('a decompression bomb stops at the default 64 MiB limit', () => {
  const bomb = execFileSync('sh', ['-c', 'head -c 70000000 /dev/zero | /usr/bin/lz4 -c -B7'], { maxBuffer: 8 << 20 });
  assert.ok(bomb.length < 1 << 20);
  assert.throws(() => openBlob(Buffer.concat([Buffer.from([0, 0, 1, 0]), bomb]), 'bomb'), (e: Error & { code?: string; blob?: string }) => {
    assert.equal(e.code, 'CLFS_LIMIT');
    assert.equal(e.blob, 'bomb');
    return true;
  });
});

test('envelope errors', () => {
  assert.throws(() => openBlob(Uint8Array.of(0, 0, 0)), { code: 'CLFS_TRUNCATED' });
  assert.throws(() => openBlob(Uint8Array.of(1, 0, 0, 0)), { code: 'CLFS_BAD_ENVELOPE' });
  assert.throws(() => openBlob(Uint8Array.of(0, 0, 2, 0)), { code: 'CLFS_BAD_ENVELOPE' });
  assert.throws(() => openBlob(Uint8Array.of(0, 0, 1, 0)), { code: 'CLFS_BAD_LZ4' });
  assert.throws(() => openBlob(Uint8Array.of(0, 0, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8)), { code: 'CLFS_BAD_LZ4' });
  const legacy = lz4(['-c', '-l'], compressible(1000));
  assert.throws(() => openBlob(Buffer.concat([Buffer.from([0, 0, 1, 0]), legacy])), { code: 'CLFS_BAD_LZ4' });
});
