/** More than 1023 links to one inode: the 1024th name starts a separate object (§10.3, CLFS_LINK_MAX). */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../src/store/memory-store.js';
import { listAll } from '../../src/store/blob-store.js';
import { runLoad } from '../../src/load/run-load.js';
import { Btype, decodeObject, hash64Hex, openBlob, parseBlobName } from '../../src/format/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-linkmax-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('1030 links become one object of 1023 links and one of 7, both reconciled to version 11', async () => {
  const src = path.join(tmp, 'links');
  mkdirSync(src);
  const first = path.join(src, 'l0000');
  writeFileSync(first, 'shared content\n');
  for (let i = 1; i < 1030; i++) linkSync(first, path.join(src, `l${String(i).padStart(4, '0')}`));
  const store = new MemoryStore();
  const r = await runLoad({ source: src, stateDir: path.join(tmp, 'state'), store, destinationIdentity: 'memory://links', compression: 'LZ4', preserveHardlinks: true, maxErrors: 1 });
  assert.equal(r.snapshot.status, 'Completed');
  assert.equal(r.snapshot.total, 3, 'root + two file objects');
  const files = [];
  for await (const b of listAll(store)) {
    const p = parseBlobName(b.name);
    if (p.kind === 'v2' && p.btype === Btype.REG) files.push({ name: b.name, p, obj: decodeObject(openBlob(await store.get(b.name)).payload) });
  }
  assert.equal(files.length, 2);
  const links = files.map((f) => (f.obj.kind === 'inode' ? f.obj.vattr.nlink : -1)).sort((a, b) => a - b);
  assert.deepEqual(links, [7, 1023]);
  for (const f of files) {
    assert.ok(f.obj.kind === 'inode' && f.p.kind === 'v2');
    assert.equal(f.p.version, 11);
    assert.equal(f.obj.back!.length, f.obj.vattr.nlink, 'nlink = number of BACK entries');
    assert.equal(f.p.ownerHash, hash64Hex(f.obj.back![0]), 'owner = BACK[0]');
  }
});
