import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dryRun } from '../../src/load/dry-run.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { runLoad } from '../../src/load/run-load.js';
import { listAll } from '../../src/store/blob-store.js';
import { makeTree } from '../helpers/tree.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-dry-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a dry run counts what a load writes and writes nothing', async () => {
  const src = path.join(tmp, 'basic');
  makeTree('basic', src);
  const store = new MemoryStore();
  const r = await dryRun(src, false, store);
  assert.equal(store.size, 0);
  assert.deepEqual({ ...r }, { entries: 28, directories: 8, files: 15, symlinks: 5, specials: 0, failed: 0, fileBytes: 57740, blobsAtLeast: 32 });
  const real = await runLoad({ source: src, stateDir: path.join(tmp, 'state'), store, destinationIdentity: 'memory://dry', compression: 'LZ4', preserveHardlinks: false, maxErrors: 1 });
  let blobs = 0;
  for await (const _ of listAll(store)) blobs++;
  assert.equal(real.snapshot.total, r.entries);
  assert.ok(blobs >= r.blobsAtLeast);
  assert.ok(!existsSync(path.join(tmp, 'nothing')));
});
