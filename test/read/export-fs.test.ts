/**
 * export-fs works on open directory descriptors: once a directory is open, renaming it and
 * planting a symlink to a victim at its old path changes nothing (issue 23 item 1). Every kind of
 * entry is checked (directory, file, symlink, FIFO, device node, hard link), then reopening a
 * replaced directory, then hole-writing against plain bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReplacedError, createFile, link, makeDir, makeNode, makeSymlink, openDir, reopenDir, SparseWriter, type Attrs } from '../../src/read/export-fs.js';

const asRoot = process.getuid?.() === 0;
const attrs: Attrs = { mode: 0o640, uid: 0, gid: 0, atime: { sec: 1_000_000, nsec: 5 }, mtime: { sec: 2_000_000, nsec: 7 } };

function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-export-fs-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('every entry is made in the open directory, not through a symlink planted at its old path', async () => {
  const t = scratch();
  try {
    const d = path.join(t.dir, 'd');
    const moved = path.join(t.dir, 'moved');
    const victim = path.join(t.dir, 'victim');
    mkdirSync(d);
    mkdirSync(victim, { mode: 0o700 });
    const fh = await openDir(d);
    try {
      renameSync(d, moved);
      symlinkSync(victim, d);
      await (await makeDir(fh, Buffer.from('sub'))).close();
      const f = await createFile(fh, Buffer.from('file'));
      await f.close();
      await makeSymlink(Buffer.from('target'), fh, Buffer.from('link'), attrs, asRoot);
      await makeNode('fifo', fh, Buffer.from('fifo'), 0, 0, attrs, asRoot);
      if (asRoot) await makeNode('chr', fh, Buffer.from('null'), 1, 3, attrs, true);
      await link(fh, Buffer.from('file'), fh, Buffer.from('file2'));
    } finally {
      await fh.close();
    }
    assert.deepEqual(readdirSync(victim), [], 'nothing in the victim');
    assert.equal(statSync(victim).mode & 0o7777, 0o700);
    const want = ['fifo', 'file', 'file2', 'link', 'sub', ...(asRoot ? ['null'] : [])].sort();
    assert.deepEqual(readdirSync(moved).sort(), want);
    const fifo = lstatSync(path.join(moved, 'fifo'));
    assert.ok(fifo.isFIFO());
    assert.equal(fifo.mode & 0o7777, 0o640, 'mode set on the node itself');
    const off = lstatSync(path.join(moved, 'fifo'), { bigint: true }).mtimeNs - 2_000_000_000_000_007n;
    assert.ok(off > -1000n && off < 1000n, `times set on the node (${off} ns off; the nearest µs without the native helper)`);
    if (asRoot) assert.ok(lstatSync(path.join(moved, 'null')).isCharacterDevice());
    assert.equal(lstatSync(path.join(moved, 'file2')).ino, lstatSync(path.join(moved, 'file')).ino);
  } finally {
    t.cleanup();
  }
});

test('reopening a directory that was replaced by another one is refused', async () => {
  const t = scratch();
  try {
    const parent = await openDir(t.dir);
    try {
      const sub = await makeDir(parent, Buffer.from('sub'));
      const st = await sub.stat();
      await sub.close();
      await (await reopenDir(parent, Buffer.from('sub'), st.dev, st.ino)).close(); // still the same: fine
      renameSync(path.join(t.dir, 'sub'), path.join(t.dir, 'old'));
      mkdirSync(path.join(t.dir, 'sub'));
      await assert.rejects(reopenDir(parent, Buffer.from('sub'), st.dev, st.ino), ReplacedError);
      rmSync(path.join(t.dir, 'sub'), { recursive: true });
      symlinkSync('old', path.join(t.dir, 'sub'));
      await assert.rejects(reopenDir(parent, Buffer.from('sub'), st.dev, st.ino), /ENOTDIR|ELOOP/);
    } finally {
      await parent.close();
    }
  } finally {
    t.cleanup();
  }
});

test('SparseWriter writes the same bytes as a plain write, whatever the chunking', async () => {
  const t = scratch();
  try {
    const zeros = fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 4 }).map((k) => k * 4096)).map((n) => new Uint8Array(n));
    const piece = fc.oneof(zeros, fc.uint8Array({ minLength: 1, maxLength: 9000 }));
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 8 }), async (chunks) => {
      const p = path.join(t.dir, `f${n++}`);
      const fh = await fsp.open(p, 'w');
      const out = new SparseWriter(fh);
      try {
        for (const c of chunks) await out.write(c);
        await out.finish();
      } finally {
        await fh.close();
      }
      assert.ok(readFileSync(p).equals(Buffer.concat(chunks)));
    }), { numRuns: 150 });
  } finally {
    t.cleanup();
  }
});
