/** A directory whose pieces spill into indirect tree 0: verify, listing and export follow the tree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Container } from '../../src/read/container.js';
import { directoryEntries } from '../../src/read/dir-entries.js';
import { exportContainer } from '../../src/read/export.js';
import { resolvePath } from '../../src/read/resolve-path.js';
import { verifyContainer } from '../../src/read/verify.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { copyFixtureToStore } from '../helpers/stores.js';
import { tempDir } from './read-helpers.js';
import { wideDirectoryContainer } from './synthetic.js';

const FILES = 1030; // inline + 1023 direct segments + 6 segments in tree 0

test('verify walks directory segments through indirect tree 0', async () => {
  const { store, indirectNames } = await wideDirectoryContainer(FILES);
  assert.equal(indirectNames.length, 1);
  const report = await verifyContainer(store);
  assert.deepEqual(report.findings, []);
  assert.equal(report.summary.dirSegments, FILES - 1);
  assert.equal(report.summary.indirectBlocks, 1);
  assert.equal(report.summary.files, FILES);
});

test('a missing indirect block is VERIFY_MISSING_BLOB and its entries become unreachable', async () => {
  const { store, indirectNames } = await wideDirectoryContainer(FILES);
  await store.delete(indirectNames[0]);
  const report = await verifyContainer(store);
  assert.equal(report.ok, false);
  assert.equal(report.findings.find((f) => f.code === 'VERIFY_MISSING_BLOB')?.blob, indirectNames[0]);
  assert.equal(report.codes.VERIFY_UNREFERENCED_INODE, 6);
  assert.equal(report.codes.VERIFY_UNREFERENCED, 6);
});

test('directory entries and export follow the tree in order', async () => {
  const { store } = await wideDirectoryContainer(FILES);
  const c = await Container.open(store);
  const wide = await resolvePath(c, 'wide');
  const names: string[] = [];
  for await (const e of directoryEntries(c, wide.id, wide.inode, 'wide')) names.push(Buffer.from(e.name).toString());
  assert.deepEqual(names, Array.from({ length: FILES }, (_, i) => `f${String(i).padStart(4, '0')}`));
  const t = tempDir();
  try {
    const dest = path.join(t.dir, 'out');
    const r = await exportContainer(c, dest, { asRoot: false });
    assert.equal(r.errors, 0, JSON.stringify(r.issues));
    assert.equal(readdirSync(path.join(dest, 'wide')).length, FILES);
  } finally {
    t.cleanup();
  }
});

test('export without root privileges skips device nodes with a warning and keeps going', async () => {
  const store = new MemoryStore();
  await copyFixtureToStore('special', store);
  const t = tempDir();
  try {
    const r = await exportContainer(await Container.open(store), path.join(t.dir, 'out'), { asRoot: false });
    assert.equal(r.errors, 0);
    assert.deepEqual(r.issues.map((i) => [i.code, i.path]).sort(), [['EXPORT_NO_OWNERSHIP', ''], ['EXPORT_SKIPPED_DEVICE', 'dev/blk-7-0'], ['EXPORT_SKIPPED_DEVICE', 'dev/chr-1-3'], ['EXPORT_SKIPPED_SOCKET', 'dev/socket']]);
    assert.deepEqual(readdirSync(path.join(t.dir, 'out', 'dev')), ['fifo']);
  } finally {
    t.cleanup();
  }
});
