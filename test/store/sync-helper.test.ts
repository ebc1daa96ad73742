import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SyncHelper } from '../../src/store/sync-helper.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';

/** Shells running the helper loop for `dir` (argv ends with the directory). */
function helpersFor(dir: string): number {
  const out = spawnSync('pgrep', ['-f', '-c', `clfsload-sync ${dir}$`], { encoding: 'utf8' });
  return Number(out.stdout.trim() || '0');
}

test('one helper shell answers every sync, in order, also many at once', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sync-helper-'));
  const helper = new SyncHelper(dir);
  try {
    await helper.sync();
    await Promise.all(Array.from({ length: 20 }, () => helper.sync()));
    for (let i = 0; i < 5; i++) await helper.sync();
    assert.equal(helpersFor(dir), 1, 'one shell for all of them');
  } finally {
    helper.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (let i = 0; i < 50 && helpersFor(dir) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(helpersFor(dir), 0, 'close ends the shell');
});

test('a sync that fails rejects with the reason sync gives', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'sync-helper-'));
  const dir = path.join(parent, 'gone');
  const helper = new SyncHelper(dir);
  try {
    await assert.rejects(helper.sync(), (err: NodeJS.ErrnoException & { stderr?: string }) => /No such file|error opening/i.test(`${err.stderr ?? ''} ${err.message}`));
  } finally {
    helper.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

test('LocalDirStore.sync maps a failure to a store error naming the directory', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'sync-helper-'));
  const dir = path.join(parent, 'container');
  execFileSync('mkdir', [dir]);
  const store = new LocalDirStore(dir, { fsync: false });
  try {
    await store.put('a', new Uint8Array([1]));
    await store.sync();
    rmSync(dir, { recursive: true });
    await assert.rejects(store.sync(), (err: Error & { code?: string }) => err.code === 'CLFS_STORE_NOT_FOUND' || (err.code === 'CLFS_STORE_IO' && err.message.includes(dir)));
  } finally {
    await store.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

test('the helper neither keeps a finished process alive nor outlives it, and an awaited sync keeps it running', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sync-helper-'));
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const mod = path.join(here, '..', '..', 'src', 'store', 'sync-helper' + path.extname(fileURLToPath(import.meta.url)));
    // Nothing but the awaited sync is pending: the process must still wait for it, then exit
    // without calling close().
    const script = `const { SyncHelper } = await import(${JSON.stringify(mod)}); const h = new SyncHelper(${JSON.stringify(dir)}); await h.sync(); await h.sync(); console.log('synced');`;
    writeFileSync(path.join(dir, 'marker'), 'x');
    // the timeout only guards against a hang: a killed child has no status 0 (and its signal is set)
    const r = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.signal, null, 'the process ended by itself');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'synced');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return (async () => {
    for (let i = 0; i < 50 && helpersFor(dir) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(helpersFor(dir), 0, 'the shell ended with the process');
  })();
});
