/** Damaged input: truncations and byte flips of real blobs give FormatError, never another exception. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../../src/errors.js';
import { decodeHandles, decodeObject, openBlob, parseBlobName } from '../../src/format/index.js';
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

function expectOnlyFormatError(fn: () => void, what: string): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    if (!(e instanceof FormatError)) assert.fail(`${what}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return true;
  }
}

test('truncations of real blobs give FormatError', () => {
  const blobs = sampleBlobs();
  assert.ok(blobs.length >= 30);
  for (const { name, bytes } of blobs) {
    const { payload } = openBlob(bytes, name);
    const step = Math.max(1, Math.floor(bytes.length / 60));
    for (let n = 0; n < bytes.length; n += step) {
      expectOnlyFormatError(() => decodeAll(bytes.subarray(0, n), name), `${name} cut to ${n}`);
    }
    // A cut payload is always an error: handles end exactly at the end of the payload.
    for (let n = 1; n < payload.length; n += Math.max(1, Math.floor(payload.length / 60))) {
      assert.ok(expectOnlyFormatError(() => decodeObject(payload.subarray(0, n), name), `${name} payload cut to ${n}`), `payload cut to ${n} must fail`);
    }
  }
});

test('10,000+ seeded random mutations give FormatError or a decoded object', () => {
  const blobs = sampleBlobs();
  const rand = rng(0xc1f5);
  let failures = 0;
  const total = 12000;
  const started = performance.now();
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
  assert.ok(performance.now() - started < 20000, 'no hang');
});

test('random garbage gives FormatError', () => {
  const rand = rng(42);
  for (let i = 0; i < 2000; i++) {
    const b = new Uint8Array(Math.floor(rand() * 200));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
    if (b.length >= 4 && rand() < 0.7) { b[0] = 0; b[1] = 0; b[3] = 0; b[2] = rand() < 0.5 ? 0 : 1; }
    if (b.length >= 8 && rand() < 0.5) b.set([0x05, 0x60, 0x01, 0x03], 4);
    expectOnlyFormatError(() => decodeAll(b, 'garbage'), `garbage ${i}`);
    expectOnlyFormatError(() => decodeHandles(b, 'garbage'), `garbage handles ${i}`);
  }
});

test('mangled names give CLFS_BAD_NAME or other, never another exception', () => {
  const rand = rng(7);
  const dir = path.join(referenceDir, 'basic', 'container');
  const names = readdirSync(dir);
  const alphabet = '0123456789ABCDEFabcdef._-tmpXZ';
  for (let i = 0; i < 3000; i++) {
    const chars = names[Math.floor(rand() * names.length)].split('');
    const at = Math.floor(rand() * chars.length);
    chars[at] = alphabet[Math.floor(rand() * alphabet.length)];
    const mangled = chars.join('');
    expectOnlyFormatError(() => parseBlobName(mangled), mangled);
  }
});
