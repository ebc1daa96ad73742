/**
 * export writes runs of zeros as holes (issue 23 item 23), as `cp --sparse=auto` does: a sparse
 * source comes back byte-for-byte equal and about as small on disk, including a file ending in a
 * hole (its length is set with ftruncate) and a file that is all hole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './rel-helpers.js';

const MiB = 1024 * 1024;

/** A sparse file of `size` bytes with `data` written at each offset. */
function sparse(p: string, size: number, writes: [number, string][]): void {
  const fd = openSync(p, 'w');
  try {
    ftruncateSync(fd, size);
    for (const [at, text] of writes) writeSync(fd, Buffer.from(text), 0, text.length, at);
  } finally {
    closeSync(fd);
  }
}

const onDisk = (p: string): number => statSync(p).blocks * 512;

test('a sparse file is exported sparse, with the right length and bytes', async () => {
  const t = tempDir('export-sparse');
  try {
    const src = path.join(t.dir, 'src');
    mkdirSync(src);
    // data at the start, in the middle (not block-aligned) and then a hole to the end
    sparse(path.join(src, 'ends-in-hole'), 48 * MiB, [[0, 'head'], [20 * MiB + 1000, 'middle'], [30 * MiB - 3, 'across-a-block-edge']]);
    sparse(path.join(src, 'ends-in-data'), 40 * MiB, [[12 * MiB, 'x'], [40 * MiB - 5, 'tail!']]);
    sparse(path.join(src, 'all-hole'), 24 * MiB, []);
    if (onDisk(path.join(src, 'all-hole')) > 0) return; // this file system has no holes: nothing to check
    const container = path.join(t.dir, 'container');
    const load = await runCli(['load', src, container, '--state-path', path.join(t.dir, 'state')]);
    assert.equal(load.code, 0, load.stdout + load.stderr);
    const out = path.join(t.dir, 'out');
    const r = await runCli(['export', container, out]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ['ends-in-hole', 'ends-in-data', 'all-hole']) {
      const a = path.join(src, name);
      const b = path.join(out, name);
      assert.equal(statSync(b).size, statSync(a).size, `${name}: length`);
      assert.ok(readFileSync(b).equals(readFileSync(a)), `${name}: bytes`);
      // the source holds a few 4 KiB blocks; allow some slack for the file system's own blocks
      assert.ok(onDisk(b) <= onDisk(a) + 64 * 1024, `${name}: ${onDisk(b)} bytes on disk, the source ${onDisk(a)}`);
    }
  } finally {
    t.cleanup();
  }
});
