/** LocalDirStore specifics: temp files, new blobs in place, bad names, permissions, the fixture layout, atomic replacement. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { LocalDirStore, TEMP_PREFIX } from '../../src/store/local-dir-store.js';
import { listAll } from '../../src/store/blob-store.js';
import { StoreError } from '../../src/errors.js';
import { referenceDir, repoRoot } from '../helpers/paths.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'clfs-local-extra-'));
after(() => rmSync(root, { recursive: true, force: true }));
const fresh = (): string => mkdtempSync(path.join(root, 'c-'));

async function names(store: LocalDirStore): Promise<string[]> {
  const out = [];
  for await (const b of listAll(store)) out.push(b.name);
  return out;
}

describe('LocalDirStore', () => {
  it('writes through a temp file that never shows in listings, and leaves none behind', async () => {
    const dir = fresh();
    const store = new LocalDirStore(dir); // fsync on (the default)
    await store.put('A.0001', Buffer.from('hello'));
    writeFileSync(path.join(dir, `${TEMP_PREFIX}leftover`), 'half-written by a crashed run');
    mkdirSync(path.join(dir, 'subdir'));
    assert.deepEqual(await names(store), ['A.0001']);
    assert.deepEqual(readdirSync(dir).sort(), [`${TEMP_PREFIX}leftover`, 'A.0001', 'subdir'].sort());
    assert.equal(await store.head('subdir'), undefined);
    assert.equal(await store.delete('subdir'), false);
    await assert.rejects(store.put('subdir', Uint8Array.of(1)), (e: unknown) => e instanceof StoreError && e.code === 'CLFS_STORE_IO' && /directory is in the way/.test(e.message));
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(TEMP_PREFIX)), [`${TEMP_PREFIX}leftover`]);
  });

  it('rejects names a directory cannot hold safely', async () => {
    const store = new LocalDirStore(fresh());
    for (const bad of ['', '.', '..', 'a/b', '../x', 'a\0b', `${TEMP_PREFIX}x`]) {
      await assert.rejects(store.put(bad, Uint8Array.of(1)), (e: unknown) => e instanceof StoreError && e.code === 'CLFS_STORE_IO', JSON.stringify(bad));
      await assert.rejects(store.get(bad), StoreError);
    }
    assert.deepEqual(readdirSync(store.dir), []);
  });

  it('lists a reference fixture container exactly as its files, in byte order', async () => {
    const dir = path.join(referenceDir, 'basic', 'container');
    const store = new LocalDirStore(dir);
    const files = readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(await names(store), files);
    const page = await store.listPage({ prefix: 'output.process-transfer-', pageSize: 3 });
    assert.deepEqual(page.items.map((b) => b.name), files.filter((f) => f.startsWith('output.process-transfer-')).slice(0, 3));
    assert.equal(page.continuation, page.items[2].name);
  });

  it('missing directory → CLFS_STORE_CONTAINER_MISSING from checkAccess, put and delete', async () => {
    const store = new LocalDirStore(path.join(root, 'does-not-exist'));
    for (const f of [() => store.checkAccess(), () => store.put('A', Uint8Array.of(1)), () => store.delete('A'), () => store.head('A'), () => store.get('A')]) {
      await assert.rejects(f(), (e: unknown) => e instanceof StoreError && e.code === 'CLFS_STORE_CONTAINER_MISSING');
    }
    writeFileSync(path.join(root, 'a-file'), 'x');
    await assert.rejects(new LocalDirStore(path.join(root, 'a-file')).checkAccess(), (e: unknown) => e instanceof StoreError && e.code === 'CLFS_STORE_CONTAINER_MISSING');
  });

  it('without fsync, a new blob goes straight to its name and an existing one is replaced through a temp file', async () => {
    const dir = fresh();
    const store = new LocalDirStore(dir, { fsync: false });
    const created: string[] = [];
    const watcher = watch(dir, (_event, name) => {
      if (name) created.push(String(name));
    });
    const settle = () => new Promise((r) => setTimeout(r, 100)); // inotify events arrive on the event loop
    try {
      // 100 bytes go through a put worker, 100,000 through the main thread's path
      for (const size of [100, 100_000]) {
        const name = `B${size}`;
        await store.put(name, Buffer.alloc(size, 1));
        await settle();
        assert.deepEqual(created.filter((n) => n.startsWith(TEMP_PREFIX)), [], `no temp file for a new blob of ${size} bytes`);
        const before = statSync(path.join(dir, name)).ino;
        await store.put(name, Buffer.alloc(size, 2));
        await settle();
        assert.ok(created.some((n) => n.startsWith(TEMP_PREFIX)), `a blob of ${size} bytes that exists is replaced through a temp file`);
        assert.notEqual(statSync(path.join(dir, name)).ino, before, 'a new file took the name (rename), not a rewrite in place');
        assert.deepEqual(Buffer.from(await store.get(name)), Buffer.alloc(size, 2));
        created.length = 0;
      }
      assert.deepEqual(readdirSync(dir).sort(), ['B100', 'B100000']);
    } finally {
      watcher.close();
    }
  });

  it('readers see the old or the new bytes, never a mix', async () => {
    const store = new LocalDirStore(fresh(), { fsync: false });
    const size = 2 * 1024 * 1024;
    await store.put('X', Buffer.alloc(size, 1));
    let done = false;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await store.put('X', Buffer.alloc(size, i % 2 ? 1 : 2));
      done = true;
    })();
    let reads = 0;
    while (!done) {
      const got = Buffer.from(await store.get('X'));
      assert.equal(got.length, size);
      assert.ok(got.every((b) => b === got[0]), 'torn read');
      reads++;
    }
    await writer;
    assert.ok(reads > 0);
  });

  it('permission errors → CLFS_STORE_AUTH naming the path', { skip: process.getuid?.() !== 0 ? 'NOT RUN: needs root to drop to uid 65534' : false }, () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'SECRET'), 'x');
    chmodSync(dir, 0o700); // owned by root: nobody can neither list nor read
    chmodSync(root, 0o755);
    const script = `
      import { LocalDirStore } from ${JSON.stringify(path.join(repoRoot, 'src/store/local-dir-store.ts'))};
      const s = new LocalDirStore(${JSON.stringify(dir)});
      const out = [];
      for (const f of [() => s.checkAccess(), () => s.get('SECRET'), () => s.put('NEW', new Uint8Array(1)), () => s.listPage()]) {
        try { await f(); out.push('ok'); } catch (e) { out.push(e.code + ' ' + e.message); }
      }
      console.log(JSON.stringify(out));`;
    const scriptFile = path.join(root, 'perm-check.mts');
    writeFileSync(scriptFile, script, { mode: 0o644 });
    const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, tsx, scriptFile], { encoding: 'utf8', cwd: '/tmp' });
    assert.equal(r.status, 0, r.stderr);
    const results = JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
    assert.equal(results.length, 4);
    for (const line of results) {
      assert.match(line, /^CLFS_STORE_AUTH /);
      assert.ok(line.includes(dir), line);
    }
  });
});

describe('LocalDirStore sync barrier', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'clfs-local-sync-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  it('sync() resolves after puts made without fsync, and the blobs read back', async () => {
    const store = new LocalDirStore(base, { fsync: false });
    await store.put('a', Uint8Array.of(1, 2, 3));
    await store.sync();
    assert.deepEqual([...(await store.get('a'))], [1, 2, 3]);
  });

  it('sync() on a container directory that is gone fails with a StoreError', async () => {
    const gone = path.join(base, 'gone');
    mkdirSync(gone);
    const store = new LocalDirStore(gone, { fsync: false });
    rmSync(gone, { recursive: true });
    await assert.rejects(store.sync(), (e: unknown) => e instanceof StoreError);
  });
});
