/**
 * Damaged input: truncations and byte flips of real blobs give FormatError, never another exception.
 * Each test asserts the outcome it names (an error where one is due), so a decoder that accepts a
 * cut blob fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../../src/errors.js';
import { Compression, decodeHandles, decodeObject, openBlob, parseBlobName } from '../../src/format/index.js';
import { referenceDir } from '../helpers/paths.js';

/** Small real blobs of every kind: compressed and not, inodes, segments, bucket. */
function sampleBlobs(): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const variant of ['basic', 'basic-nocompress', 'special', 'bigdir', 'hardlinks-preserve']) {
    const dir = path.join(referenceDir, variant, 'container');
    const names = readdirSync(dir).filter((n) => parseBlobName(n).kind !== 'other' && statSync(path.join(dir, n)).size < 20000);
    for (const n of names.slice(0, 12)) out.push({ name: n, bytes: new Uint8Array(readFileSync(path.join(dir, n))) });
  }
  return out;
}

/** Seeded xorshift32, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

function decodeAll(bytes: Uint8Array, name: string): void {
  decodeObject(openBlob(bytes, name).payload, name);
}

/** Runs `fn`: true when it threw a FormatError, false when it returned; any other exception fails the test. */
function expectOnlyFormatError(fn: () => void, what: string): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    if (!(e instanceof FormatError)) assert.fail(`${what}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return true;
  }
}

/** `fn` must throw a FormatError (returning normally fails, as does another exception). */
function mustFormatError(fn: () => void, what: string): void {
  assert.ok(expectOnlyFormatError(fn, what), `${what}: decoded without an error`);
}

/**
 * Offsets in a whole payload where one handle ends and the next begins, read from the handle
 * headers directly (the u32 blobCount at +4, §6) so that the split does not trust the decoder.
 */
function handleBoundaries(payload: Uint8Array): Set<number> {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out = new Set<number>();
  for (let at = 0; at < payload.length; ) {
    at += dv.getUint32(at + 4, true);
    out.add(at);
  }
  assert.ok(out.has(payload.length), 'the handles tile the payload');
  return out;
}

type Cut = { what: string; fn: () => void };

/** Sampled cuts of every sample blob (whole blob, and payload alone), split by where they fall. */
function truncations(): { inHandle: Cut[]; onBoundary: Cut[] } {
  const inHandle: Cut[] = [];
  const onBoundary: Cut[] = [];
  for (const { name, bytes } of sampleBlobs()) {
    const { compression, payload } = openBlob(bytes, name);
    const boundaries = handleBoundaries(payload);
    const step = Math.max(1, Math.floor(bytes.length / 60));
    // proper prefixes, the one a byte short included
    const cuts = new Set([bytes.length - 1]);
    for (let n = 0; n < bytes.length; n += step) cuts.add(n);
    // and every handle boundary of a raw blob, which sampling by step mostly misses
    if (compression === Compression.NONE) for (const b of boundaries) if (b < payload.length) cuts.add(4 + b);
    for (const n of cuts) {
      const cut = bytes.subarray(0, n);
      // only a raw payload (4-byte envelope) can be cut between handles; an LZ4 frame cut anywhere is broken
      const between = compression === Compression.NONE && boundaries.has(n - 4);
      (between ? onBoundary : inHandle).push({ what: `${name} cut to ${n}`, fn: () => decodeAll(cut, name) });
    }
    const payloadCuts = new Set([...boundaries].filter((b) => b < payload.length));
    for (let n = 1; n < payload.length; n += Math.max(1, Math.floor(payload.length / 60))) payloadCuts.add(n);
    for (const n of payloadCuts) {
      const cut = payload.subarray(0, n);
      (boundaries.has(n) ? onBoundary : inHandle).push({ what: `${name} payload cut to ${n}`, fn: () => decodeObject(cut, name) });
    }
  }
  return { inHandle, onBoundary };
}

test('truncations of real blobs inside a handle give FormatError', () => {
  assert.ok(sampleBlobs().length >= 30);
  const { inHandle } = truncations();
  assert.ok(inHandle.length > 1000, `${inHandle.length} cuts`);
  for (const { what, fn } of inHandle) mustFormatError(fn, what);
});

// An uncompressed blob cut exactly between two handles is a well-formed handle list, e.g. a file
// inode without its DATA or a root without its EXTATTRS: only the per-kind handle sets of §7 catch it.
test('truncations between two handles give FormatError', () => {
  const { onBoundary } = truncations();
  assert.ok(onBoundary.length > 100, `${onBoundary.length} cuts`);
  for (const { what, fn } of onBoundary) {
    assert.throws(fn, (e: unknown) => e instanceof FormatError && (e.code === 'CLFS_BAD_OBJECT' || e.code === 'CLFS_TRUNCATED'), what);
  }
});

test('10,000+ seeded random mutations give FormatError or a decoded object', () => {
  const blobs = sampleBlobs();
  const rand = rng(0xc1f5);
  let failures = 0;
  const total = 12000;
  for (let i = 0; i < total; i++) {
    const { name, bytes } = blobs[Math.floor(rand() * blobs.length)];
    const usePayload = rand() < 0.5;
    const base = usePayload ? new Uint8Array(openBlob(bytes, name).payload) : bytes.slice();
    const flips = 1 + Math.floor(rand() * 4);
    for (let f = 0; f < flips; f++) {
      const at = Math.floor(rand() * base.length);
      base[at] = rand() < 0.5 ? base[at] ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
    }
    const fn = usePayload ? () => decodeObject(base, name) : () => decodeAll(base, name);
    if (expectOnlyFormatError(fn, `mutation ${i} of ${name}`)) failures++;
  }
  assert.ok(failures > total / 10, `most mutations are detected (${failures}/${total})`);
});

test('random garbage gives FormatError', () => {
  const rand = rng(42);
  let empty = 0;
  for (let i = 0; i < 2000; i++) {
    const b = new Uint8Array(Math.floor(rand() * 200));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
    if (b.length >= 4 && rand() < 0.7) { b[0] = 0; b[1] = 0; b[3] = 0; b[2] = rand() < 0.5 ? 0 : 1; }
    if (b.length >= 8 && rand() < 0.5) b.set([0x05, 0x60, 0x01, 0x03], 4);
    mustFormatError(() => decodeAll(b, 'garbage'), `garbage ${i}`);
    // An empty handle list is the only valid handle payload garbage can be.
    if (b.length === 0) {
      empty++;
      assert.deepEqual(decodeHandles(b, 'garbage'), [], `garbage handles ${i}`);
    } else mustFormatError(() => decodeHandles(b, 'garbage'), `garbage handles ${i}`);
  }
  assert.ok(empty < 100, `mostly non-empty garbage (${empty} empty)`);
});

test('mangled names give CLFS_BAD_NAME, other, or a parse whose hash no longer matches; never another exception', () => {
  const rand = rng(7);
  const dir = path.join(referenceDir, 'basic', 'container');
  const names = readdirSync(dir);
  const alphabet = '0123456789ABCDEFabcdef._-tmpXZ';
  const seen = { badName: 0, other: 0, parsed: 0, hashCaught: 0 };
  for (let i = 0; i < 3000; i++) {
    const original = names[Math.floor(rand() * names.length)];
    const chars = original.split('');
    const at = Math.floor(rand() * chars.length);
    chars[at] = alphabet[Math.floor(rand() * alphabet.length)];
    const mangled = chars.join('');
    let parsed: ReturnType<typeof parseBlobName>;
    try {
      parsed = parseBlobName(mangled);
    } catch (e) {
      assert.ok(e instanceof FormatError, `${mangled}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.equal(e.code, 'CLFS_BAD_NAME', mangled);
      assert.equal(e.blob, mangled, 'the error names the blob');
      seen.badName++;
      continue;
    }
    if (parsed.kind === 'other') {
      seen.other++;
      continue;
    }
    seen.parsed++;
    // A changed character in the hash_id head of a still well-formed name is caught by the hash.
    const headEnd = original.indexOf('.');
    if (mangled !== original && at < headEnd) {
      assert.equal(parsed.hashOk, false, `${original} -> ${mangled}: the hash still matches`);
      seen.hashCaught++;
    }
  }
  // every outcome is exercised, so none of the checks above is vacuous
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 100, `${k}: ${v}`);
});
