import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, appendFile, truncate, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SMALL_FILE_BYTES, SourceFile } from '../../src/source/file-reader.js';

for (const size of [0, 100, SMALL_FILE_BYTES, SMALL_FILE_BYTES + 1, 100_000]) {
  test(`a ${size}-byte file reads back exactly, and growth or shrinkage after open is caught`, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'file-reader-'));
    try {
      const p = path.join(dir, 'f');
      const data = Buffer.alloc(size, 0x61);
      await writeFile(p, data);
      const f = await SourceFile.open(Buffer.from(p));
      try {
        assert.deepEqual(await f.readExact(0, size), data);
        if (size > 10) assert.deepEqual(await f.readExact(5, 5), data.subarray(5, 10));
        await f.checkNoGrowth();
      } finally {
        await f.close();
      }
      // A large file grown after open fails at the probe. A small one was read whole at open, so
      // its bytes match the size it had then; it fails only if it was already longer than stat said.
      const g = await SourceFile.open(Buffer.from(p));
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
        const s = await SourceFile.open(Buffer.from(p));
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

