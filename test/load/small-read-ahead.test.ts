import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ftype } from '../../src/format/constants.js';
import { SMALL_FILE_BYTES, SourceFile } from '../../src/source/file-reader.js';
import { sourceJobCounts } from '../../src/source/source-jobs.js';
import type { ObjectRow } from '../../src/state/job-db.js';
import { SmallReadAhead } from '../../src/load/small-read-ahead.js';

function row(id: number, p: string, ftype: number, size: number): ObjectRow {
  return { id, ftype, path: Buffer.from(p), stat: { size: BigInt(size) } } as unknown as ObjectRow;
}

test('small regular files are read a window ahead, half a window at a time, many reads per worker message', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'read-ahead-'));
  try {
    const page: ObjectRow[] = [];
    for (let i = 0; i < 300; i++) {
      const p = path.join(dir, `f${i}`);
      const kind = i % 10 === 3 ? 'dir' : i % 10 === 7 ? 'big' : 'small';
      if (kind !== 'dir') await writeFile(p, Buffer.alloc(kind === 'big' ? SMALL_FILE_BYTES + 1 : 100, i & 0xff));
      page.push(row(i + 1, p, kind === 'dir' ? Ftype.DIR : Ftype.REG, kind === 'big' ? SMALL_FILE_BYTES + 1 : 100));
    }
    const ahead = new SmallReadAhead(64);
    const before = sourceJobCounts();
    ahead.before(page, 0);
    assert.equal(ahead.waiting, 64 - 13, 'rows 0..63 started, less directories and big files');
    ahead.before(page, 1);
    assert.equal(ahead.waiting, 51, 'no top-up while more than half a window is ahead');
    for (let i = 0; i < page.length; i++) {
      ahead.before(page, i);
      const r = page[i];
      const started = ahead.take(r);
      assert.equal(started !== undefined, r.ftype === Ftype.REG && r.stat.size <= BigInt(SMALL_FILE_BYTES), `row ${i}`);
      assert.equal(ahead.take(r), undefined, 'handed over once');
      if (!started) continue;
      const f = await SourceFile.open(r.path, r.stat.size, started);
      assert.deepEqual(await f.readExact(0, 100), Buffer.alloc(100, i & 0xff));
      await f.close();
    }
    const after = sourceJobCounts();
    const jobs = after.jobs - before.jobs;
    assert.equal(jobs, 240, 'one read per small file');
    assert.ok(after.batches - before.batches <= 12, `${after.batches - before.batches} messages for ${jobs} reads`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a read started ahead sees the file as it is then: grown past small, vanished, or dropped unread', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'read-ahead-'));
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const grown = path.join(dir, 'grown');
    await writeFile(grown, 'x');
    await appendFile(grown, Buffer.alloc(SMALL_FILE_BYTES + 10, 1));
    const gone = path.join(dir, 'gone');
    const page = [row(1, grown, Ftype.REG, 1), row(2, gone, Ftype.REG, 5), row(3, path.join(dir, 'never-taken'), Ftype.REG, 5)];
    const ahead = new SmallReadAhead(8);
    ahead.before(page, 0);
    // Grown past the small-file limit since the scan: read through a handle instead, at its real size.
    const f = await SourceFile.open(page[0].path, page[0].stat.size, ahead.take(page[0]));
    assert.equal(f.stat.size, BigInt(SMALL_FILE_BYTES + 11));
    assert.equal((await f.readExact(0, SMALL_FILE_BYTES + 11)).length, SMALL_FILE_BYTES + 11);
    await f.close();
    await assert.rejects(SourceFile.open(page[1].path, page[1].stat.size, ahead.take(page[1])), { code: 'CLFS_SOURCE_VANISHED' });
    ahead.clear();
    assert.equal(ahead.waiting, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, [], 'a failed read nobody took is not an unhandled rejection');
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await rm(dir, { recursive: true, force: true });
  }
});
