import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, appendFile, truncate, rm, symlink } from 'node:fs/promises';
import { lstatSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { SMALL_FILE_BYTES, SourceFile } from '../../src/source/file-reader.js';
import { lstatManyInWorker } from '../../src/source/source-jobs.js';
import { toSourceStat } from '../../src/source/stat.js';

for (const size of [0, 100, SMALL_FILE_BYTES, SMALL_FILE_BYTES + 1, 100_000]) {
  test(`a ${size}-byte file reads back exactly, and growth or shrinkage after open is caught`, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'file-reader-'));
    try {
      const p = path.join(dir, 'f');
      const data = Buffer.alloc(size, 0x61);
      await writeFile(p, data);
      const f = await SourceFile.open(Buffer.from(p), BigInt(size));
      try {
        assert.deepEqual(await f.readExact(0, size), data);
        if (size > 10) assert.deepEqual(await f.readExact(5, 5), data.subarray(5, 10));
        await f.checkNoGrowth();
      } finally {
        await f.close();
      }
      // A large file grown after open fails at the probe. A small one was read whole at open, so
      // its bytes match the size it had then; it fails only if it was already longer than stat said.
      const g = await SourceFile.open(Buffer.from(p), BigInt(size));
      await appendFile(p, 'x');
      const grownCheck = async () => {
        await g.readExact(0, size);
        await g.checkNoGrowth();
      };
      if (size > SMALL_FILE_BYTES) await assert.rejects(grownCheck(), { code: 'CLFS_SOURCE_CHANGED' });
      else await grownCheck();
      await g.close();
      if (size > 0) {
        await writeFile(p, data);
        const s = await SourceFile.open(Buffer.from(p), BigInt(size));
        await truncate(p, size - 1);
        // A small file was read at open (it holds the old size); a large one sees the shrink now.
        if (size > SMALL_FILE_BYTES) await assert.rejects(s.readExact(0, size), { code: 'CLFS_SOURCE_CHANGED' });
        await s.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}


test('small files are read whole by a worker when the scan says they are small; every outcome matches the handle path', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'file-reader-worker-'));
  try {
    for (const size of [0, 1, 4096, SMALL_FILE_BYTES]) {
      const p = path.join(dir, `f${size}`);
      const data = Buffer.alloc(size).map((_, i) => (i * 7) & 0xff);
      await writeFile(p, data);
      const f = await SourceFile.open(Buffer.from(p), BigInt(size));
      assert.equal(f.stat.size, BigInt(size));
      assert.deepEqual(await f.readExact(0, size), data);
      const into = Buffer.alloc(size + 3);
      await f.readInto(into, 3, 0, size);
      assert.deepEqual(into.subarray(3), data);
      await f.checkNoGrowth();
      await f.close();
    }
    // grew past the small size since the scan: opened and read piece by piece instead
    const big = path.join(dir, 'grew');
    const bigData = Buffer.alloc(100_000, 0x62);
    await writeFile(big, bigData);
    const g = await SourceFile.open(Buffer.from(big), 10n);
    assert.deepEqual(await g.readExact(0, bigData.length), bigData);
    await g.checkNoGrowth();
    await g.close();
    // swapped for a symlink, a FIFO, or gone
    await symlink(big, path.join(dir, 'link'));
    await assert.rejects(SourceFile.open(Buffer.from(path.join(dir, 'link')), 10n), { code: 'CLFS_SOURCE_CHANGED' });
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    await assert.rejects(SourceFile.open(Buffer.from(path.join(dir, 'fifo')), 10n), { code: 'CLFS_SOURCE_CHANGED' });
    await assert.rejects(SourceFile.open(Buffer.from(path.join(dir, 'gone')), 10n), { code: 'CLFS_SOURCE_VANISHED' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('lstat of a batch in a worker gives the same fields as lstat, and each entry its own error', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lstat-worker-'));
  try {
    const p = path.join(dir, 'caf\xe9'); // a name that is not ASCII travels byte for byte
    await writeFile(p, 'x');
    await symlink('nowhere', path.join(dir, 'dangling'));
    const names = [p, path.join(dir, 'dangling'), dir, path.join(dir, 'missing'), path.join(dir, 'caf\xe9', 'below-a-file')];
    const got = await lstatManyInWorker(names.map((n) => Buffer.from(n)));
    assert.equal(got.length, names.length);
    for (let i = 0; i < 3; i++) assert.deepEqual(got[i], toSourceStat(lstatSync(names[i], { bigint: true })), names[i]);
    assert.ok(got[3] instanceof Error && (got[3] as NodeJS.ErrnoException).code === 'ENOENT' && (got[3] as NodeJS.ErrnoException).syscall === 'lstat');
    assert.ok(got[4] instanceof Error && (got[4] as NodeJS.ErrnoException).code === 'ENOTDIR', 'each entry keeps its own error');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
