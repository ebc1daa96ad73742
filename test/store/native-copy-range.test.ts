/**
 * native/copy-range (src/store/native-copy-range.ts): built, writes head + range + tail at the
 * blob's offset, stops short without the tail when the source ends early, copies across file
 * systems (through its buffer), and tells a failed read of the source from a failed write.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nativeWriteRange, type CopyRangeError } from '../../src/store/native-copy-range.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-copy-range-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const source = randomBytes(5 * 1024 * 1024 + 3);
writeFileSync(path.join(dir, 'src'), source);

const writeRange = nativeWriteRange();

test('the helper is built (npm ci builds it)', () => {
  assert.ok(writeRange, 'native/copy-range/build/Release/copy_range.node is missing or does not load');
});

async function copyTo(file: string, srcPath: string, offset: number, length: number, prefix?: Buffer): Promise<{ n: number; bytes: Buffer }> {
  if (prefix) writeFileSync(file, prefix);
  const out = await open(file, prefix ? 'a' : 'w');
  const src = await open(srcPath, 'r');
  try {
    const n = await writeRange!(out.fd, Buffer.from('HEAD'), src.fd, offset, length, Buffer.from('TAIL'));
    return { n, bytes: readFileSync(file) };
  } finally {
    await out.close();
    await src.close();
  }
}

test('head, the range, tail, at the blob file\'s own offset', async () => {
  const { n, bytes } = await copyTo(path.join(dir, 'a'), path.join(dir, 'src'), 12345, 4 * 1024 * 1024, Buffer.from('already here:'));
  assert.equal(n, 4 * 1024 * 1024);
  assert.ok(bytes.equals(Buffer.concat([Buffer.from('already here:HEAD'), source.subarray(12345, 12345 + 4 * 1024 * 1024), Buffer.from('TAIL')])));
});

test('a source that ends early: the count falls short and the tail is not written', async () => {
  const { n, bytes } = await copyTo(path.join(dir, 'b'), path.join(dir, 'src'), source.length - 100, 1000);
  assert.equal(n, 100);
  assert.ok(bytes.equals(Buffer.concat([Buffer.from('HEAD'), source.subarray(source.length - 100)])));
});

test('from another file system (tmpfs): the same bytes, through the buffer', { skip: !existsSync('/dev/shm') }, async () => {
  const shmDir = mkdtempSync('/dev/shm/clfs-copy-range-');
  try {
    writeFileSync(path.join(shmDir, 'src'), source);
    const { n, bytes } = await copyTo(path.join(dir, 'c'), path.join(shmDir, 'src'), 1, source.length - 1);
    assert.equal(n, source.length - 1);
    assert.ok(bytes.equals(Buffer.concat([Buffer.from('HEAD'), source.subarray(1), Buffer.from('TAIL')])));
  } finally {
    rmSync(shmDir, { recursive: true, force: true });
  }
});

test('failures say whose they are: reading the source ("read") or writing the blob ("write"), with Node\'s code', async () => {
  const src = await open(path.join(dir, 'src'), 'r');
  const writeOnly = await open(path.join(dir, 'wo'), 'w');
  const readOnly = await open(path.join(dir, 'src'), 'r');
  try {
    const readErr = await writeRange!(writeOnly.fd, new Uint8Array(0), writeOnly.fd, 0, 10, new Uint8Array(0)).then(() => undefined, (e: CopyRangeError) => e);
    assert.equal(readErr?.syscall, 'read');
    assert.equal(readErr?.code, 'EBADF');
    const writeErr = await writeRange!(readOnly.fd, Uint8Array.of(1), src.fd, 0, 10, new Uint8Array(0)).then(() => undefined, (e: CopyRangeError) => e);
    assert.equal(writeErr?.syscall, 'write');
    assert.equal(writeErr?.code, 'EBADF');
    assert.throws(() => void writeRange!(-1 as number, new Uint8Array(0), src.fd, 0, 1, new Uint8Array(0)), TypeError);
    assert.throws(() => void (writeRange as unknown as (...a: unknown[]) => unknown)(1, 'head', src.fd, 0, 1, new Uint8Array(0)), TypeError);
  } finally {
    await src.close();
    await writeOnly.close();
    await readOnly.close();
  }
});
