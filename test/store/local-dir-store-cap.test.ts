/**
 * LocalDirStore.get(maxBytes) on a blob whose size says nothing about what a read returns (a FIFO
 * planted in a container directory: fstat says 0, the writer never stops): the store stops after
 * maxBytes + 1 bytes. Counted in bytes the writer got to write, never by time or RSS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { FormatError } from '../../src/errors.js';

const limitOf = (blob: string) => (e: unknown): boolean => e instanceof FormatError && e.code === 'CLFS_LIMIT' && e.blob === blob;

test('a blob that reads longer than its size (a FIFO) is cut at maxBytes + 1 and refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-cap-'));
  try {
    execFileSync('mkfifo', [path.join(dir, 'PIPE')]);
    const cap = 1024 * 1024;
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x42);
    const out = createWriteStream(path.join(dir, 'PIPE'));
    out.on('error', () => undefined); // EPIPE once the store stops reading
    // 256 MiB then end: a store that reads it all returns (and the test fails) instead of hanging
    const pump = (): void => {
      while (!out.destroyed && written < 256 * 1024 * 1024) {
        written += chunk.length;
        if (!out.write(chunk)) return void out.once('drain', pump);
      }
      if (!out.destroyed) out.end();
    };
    out.once('open', pump);
    const store = new LocalDirStore(dir);
    await assert.rejects(store.get('PIPE', undefined, cap), limitOf('PIPE'));
    out.destroy();
    // the pipe holds at most 1 MiB (Linux's pipe-max-size default) and the stream one more chunk
    assert.ok(written <= cap + 1 + 1024 * 1024 + 2 * chunk.length, `the writer got to write ${written} bytes for a cap of ${cap}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file bigger than maxBytes (a 4 GiB sparse file) is refused by fstat, naming its size', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-cap-'));
  try {
    writeFileSync(path.join(dir, 'SPARSE'), '');
    truncateSync(path.join(dir, 'SPARSE'), 4 * 1024 ** 3);
    const store = new LocalDirStore(dir);
    await assert.rejects(store.get('SPARSE', undefined, 1024), (e: unknown) => limitOf('SPARSE')(e) && /blob of 4294967296 bytes/.test((e as Error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
