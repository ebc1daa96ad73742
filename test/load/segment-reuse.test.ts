/**
 * Segment buffers are reused across segments and files (src/load/segment-buffers.ts): with a
 * memory budget of three buffers, every file still reads back byte for byte, with LZ4 and without.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../src/store/memory-store.js';
import { runLoad } from '../../src/load/run-load.js';
import { SEGMENT_BUFFER_BYTES, SegmentBuffers } from '../../src/load/segment-buffers.js';
import { FILE_SEGMENT_BYTES } from '../../src/format/index.js';
import { Container } from '../../src/read/container.js';
import { resolvePath } from '../../src/read/resolve-path.js';
import { fileChunks } from '../../src/read/file-content.js';

const MiB = 1 << 20;
let tmp: string;
let src: string;
const files = new Map<string, Buffer>();

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-reuse-'));
  src = path.join(tmp, 'src');
  mkdirSync(src);
  const text = Buffer.alloc(2 * FILE_SEGMENT_BYTES + 16384 + 777, 'reused buffers must never leak bytes ');
  files.set('random-a', randomBytes(2 * FILE_SEGMENT_BYTES + 16384 + 5));
  files.set('random-b', randomBytes(FILE_SEGMENT_BYTES + 16384 + 3 * MiB)); // a full and a partial segment
  files.set('text', text);
  files.set('shorter', randomBytes(FILE_SEGMENT_BYTES + 16384 - 1)); // a last segment one byte short of full
  for (const [name, data] of files) writeFileSync(path.join(src, name), data);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const compression of ['DISABLED', 'LZ4'] as const) {
  test(`every file reads back exactly with 3 reusable segment buffers (${compression})`, { timeout: 120_000 }, async () => {
    const store = new MemoryStore();
    const r = await runLoad({
      source: src, stateDir: path.join(tmp, `state-${compression}`), store, destinationIdentity: `memory://reuse-${compression}`,
      compression, preserveHardlinks: false, maxErrors: 1, memoryBudget: 3 * SEGMENT_BUFFER_BYTES * (compression === 'LZ4' ? 3 : 1),
    });
    assert.equal(r.snapshot.status, 'Completed');
    const c = await Container.open(store, { index: 'lazy' });
    for (const [name, want] of files) {
      const { id, inode } = await resolvePath(c, name);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of fileChunks(c, id, inode)) {
        hash.update(chunk);
        size += chunk.length;
      }
      assert.equal(size, want.length, `${name}: size`);
      assert.equal(hash.digest('hex'), createHash('sha256').update(want).digest('hex'), `${name}: contents`);
    }
  });
}

test('SegmentBuffers pools only full-size buffers, up to `keep`', () => {
  const pool = new SegmentBuffers(1);
  assert.equal(pool.sizeFor(1000), 1000, 'small segments get exact buffers');
  assert.equal(pool.sizeFor(FILE_SEGMENT_BYTES + 100), SEGMENT_BUFFER_BYTES);
  const a = pool.take(FILE_SEGMENT_BYTES + 100);
  const b = pool.take(FILE_SEGMENT_BYTES + 100);
  assert.notEqual(a, b);
  pool.give(a);
  pool.give(b);
  pool.give(Buffer.alloc(1000));
  assert.equal(pool.pooled, 1, 'keeps at most one, and never a small buffer');
  assert.equal(pool.take(FILE_SEGMENT_BYTES), a, 'a pooled buffer is handed out again');
});
