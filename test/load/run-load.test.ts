/** The load job in-process against a MemoryStore: outcomes, state rules, failures, no orphans. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../src/store/memory-store.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { listAll, type BlobStore } from '../../src/store/blob-store.js';
import { runLoad } from '../../src/load/run-load.js';
import { TooManyErrors } from '../../src/load/transfer.js';
import type { LoadOptions } from '../../src/load/options.js';
import { parseBlobName, rootName, TMP_ROOT_NAME, BUCKET_NAME } from '../../src/format/index.js';
import { StateError, UsageError } from '../../src/errors.js';
import { makeTree } from '../helpers/tree.js';
import { runCli, summaryField } from '../helpers/load-run.js';
import Database from 'better-sqlite3';

async function names(store: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const b of listAll(store)) out.push(b.name);
  return out.sort();
}

/** Counts puts and deletes going through a store. */
class CountingStore {
  puts = 0;
  deletes = 0;
  constructor(readonly inner: BlobStore) {}
  wrap(): BlobStore {
    const count = (k: 'puts' | 'deletes') => this[k]++;
    return {
      description: this.inner.description,
      listPage: (o) => this.inner.listPage(o),
      get: (n, s) => this.inner.get(n, s),
      head: (n, s) => this.inner.head(n, s),
      checkAccess: (s) => this.inner.checkAccess(s),
      put: (n, d, s) => { count('puts'); return this.inner.put(n, d, s); },
      putIfAbsent: (n, d, s) => { count('puts'); return this.inner.putIfAbsent(n, d, s); },
      delete: (n, s) => { count('deletes'); return this.inner.delete(n, s); },
    };
  }
}

describe('runLoad', () => {
  let tmp: string;
  let basic: string;
  let n = 0;
  const fresh = () => path.join(tmp, `state-${n++}`);
  const opts = (o: Partial<LoadOptions> & Pick<LoadOptions, 'store' | 'source'>): LoadOptions => ({
    stateDir: fresh(), destinationIdentity: 'memory://test', compression: 'LZ4', preserveHardlinks: false, maxErrors: 50, ...o,
  });

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-runload-'));
    basic = path.join(tmp, 'basic');
    makeTree('basic', basic);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('a clean load publishes the root last and records the job as done', async () => {
    const store = new MemoryStore();
    const r = await runLoad(opts({ store, source: basic }));
    assert.equal(r.snapshot.status, 'Completed');
    assert.equal(r.snapshot.total, 28);
    assert.equal(r.snapshot.done, 28);
    const all = await names(store);
    assert.ok(all.includes(rootName(9)));
    assert.ok(!all.includes(TMP_ROOT_NAME));
    assert.ok(all.includes(BUCKET_NAME));
    assert.ok(all.includes('output.txt'));
  });

  test('a completed job run again writes nothing and returns its summary', async () => {
    const counting = new CountingStore(new MemoryStore());
    const stateDir = fresh();
    const first = await runLoad(opts({ store: counting.wrap(), source: basic, stateDir }));
    const puts = counting.puts;
    const again = await runLoad(opts({ store: counting.wrap(), source: basic, stateDir }));
    assert.equal(again.alreadyDone, true);
    assert.equal(counting.puts, puts);
    assert.equal(counting.deletes, 1, 'only the tmp root delete of the first run');
    assert.equal(again.snapshot.total, first.snapshot.total);
    assert.equal(again.snapshot.status, 'Completed');
  });

  test('--new-session=true refuses a state dir that holds a job, and changes nothing', async () => {
    const store = new MemoryStore();
    const stateDir = fresh();
    await runLoad(opts({ store, source: basic, stateDir }));
    const dump = () => {
      const db = new Database(path.join(stateDir, 'clfsload.db'), { readonly: true });
      try {
        return JSON.stringify([db.prepare('SELECT * FROM meta ORDER BY key').all(), db.prepare('SELECT id, state FROM objects ORDER BY id').all()]);
      } finally {
        db.close();
      }
    };
    const before = dump();
    const other = new MemoryStore();
    await assert.rejects(runLoad(opts({ store: other, source: basic, stateDir, newSession: true })), (e: unknown) => e instanceof StateError && e.code === 'CLFS_STATE_EXISTS');
    assert.equal(dump(), before);
    assert.equal(other.size, 0);
  });

  test('resuming with a different compression, hard-link mode, source or destination is refused', async () => {
    const stateDir = fresh();
    const store = new MemoryStore();
    // Abort right after INIT so the job stays unfinished.
    const ac = new AbortController();
    await assert.rejects(runLoad(opts({ store, source: basic, stateDir, signal: ac.signal, hook: (p) => { if (p === 'after-bucket') ac.abort(); } })));
    const mismatch = (e: unknown) => e instanceof StateError && e.code === 'CLFS_STATE_MISMATCH';
    await assert.rejects(runLoad(opts({ store, source: basic, stateDir, compression: 'DISABLED' })), mismatch);
    await assert.rejects(runLoad(opts({ store, source: basic, stateDir, preserveHardlinks: true })), mismatch);
    await assert.rejects(runLoad(opts({ store, source: tmp, stateDir })), mismatch);
    await assert.rejects(runLoad(opts({ store, source: basic, stateDir, destinationIdentity: 'memory://other' })), mismatch);
    const r = await runLoad(opts({ store, source: basic, stateDir }));
    assert.equal(r.snapshot.status, 'Completed');
    assert.equal(r.resumed, true);
  });

  test('a non-empty destination is refused for a new job and left untouched', async () => {
    const store = new MemoryStore();
    await store.put('someone-elses.txt', new Uint8Array([1, 2, 3]));
    const stateDir = fresh();
    await assert.rejects(runLoad(opts({ store, source: basic, stateDir })), (e: unknown) => e instanceof UsageError && e.code === 'CLFS_DEST_NOT_EMPTY' && /not empty/.test(e.message));
    assert.deepEqual(await names(store), ['someone-elses.txt']);
  });

  // memory: segments read into buffers; a local directory: copied by the store (putFileRange)
  for (const [change, storeKind] of [['grows', 'memory'], ['shrinks', 'memory'], ['grows', 'local'], ['shrinks', 'local']] as const) {
    test(`a file that ${change} while being read fails alone and leaves no blob behind (${storeKind} store)`, async () => {
      const src = path.join(tmp, `changing-${change}-${storeKind}`);
      mkdirSync(src);
      writeFileSync(path.join(src, 'stable.txt'), 'stable\n');
      const victim = path.join(src, 'victim.bin');
      writeFileSync(victim, Buffer.alloc(3 * 8388608, 7));
      const store: BlobStore = storeKind === 'memory' ? new MemoryStore() : new LocalDirStore(mkdtempSync(path.join(tmp, 'dest-')), { fsync: false });
      let copies = 0;
      const copy = store.putFileRange?.bind(store);
      if (copy) (store as { putFileRange: typeof copy }).putFileRange = (...a) => (copies++, copy(...a));
      const stateDir = fresh();
      let done = false;
      const r = await runLoad(opts({
        store, source: src, stateDir, compression: storeKind === 'local' ? 'DISABLED' : 'LZ4',
        hook: (p) => {
          if (p !== 'file-segment' || done) return;
          done = true;
          if (change === 'grows') appendFileSync(victim, 'more');
          else truncateSync(victim, 8388608);
        },
      }));
      assert.equal(r.snapshot.status, 'CompletedWithErrors');
      assert.equal(r.snapshot.failed, 1);
      assert.ok(storeKind === 'memory' ? copies === 0 : copies >= 2, `${copies} segments copied by the store`);
      assert.equal(readFileSync(path.join(stateDir, 'problems.txt'), 'utf8'), `${victim}\n`);
      const all = await names(store);
      const kinds = all.map((x) => parseBlobName(x)).filter((p) => p.kind === 'v2').map((p) => (p.kind === 'v2' ? p.btype : 0));
      assert.deepEqual(kinds.sort(), [1, 2], 'stable.txt and the root: no inode and no segment of the victim');
      assert.ok(all.includes('problems.txt'));
      assert.match(readFileSync(path.join(stateDir, 'output.txt'), 'utf8'), new RegExp(`${change === 'grows' ? 'grew' : 'shrank'} while being read`));
    });
  }

  test('a file that grew past its scanned size, then failed after its segments were written, leaves none of them', async () => {
    const src = path.join(tmp, 'grew-then-failed');
    mkdirSync(src);
    const victim = path.join(src, 'victim.bin');
    writeFileSync(victim, 'small when scanned\n'); // no segment planned by the scan
    const store = new MemoryStore();
    const stateDir = fresh();
    const once = new Set<string>();
    const r = await runLoad(opts({
      store, source: src, stateDir,
      hook: (p) => {
        if (once.has(p)) return;
        once.add(p);
        // scanned, not yet opened: the load finds 2 segments' worth and plans them itself
        if (p === 'before-mark-scanned') appendFileSync(victim, Buffer.alloc(2 * 8388608, 3));
        // every segment written: growing now fails the file before its inode
        if (p === 'file-before-finish') appendFileSync(victim, 'more');
      },
    }));
    assert.equal(r.snapshot.status, 'CompletedWithErrors');
    assert.match(readFileSync(path.join(stateDir, 'output.txt'), 'utf8'), /grew while being read/);
    const btypes = (await names(store)).map((x) => parseBlobName(x)).flatMap((p) => (p.kind === 'v2' ? [p.btype] : []));
    assert.deepEqual(btypes, [2], 'only the root directory: no inode, segment or indirect block of the victim is left');
  });

  test('--max-errors stops the job and it does not finalize', async () => {
    const src = path.join(tmp, 'many-bad');
    mkdirSync(src);
    for (let i = 0; i < 5; i++) writeFileSync(path.join(src, `f${i}`), 'x');
    const store = new MemoryStore();
    // An entry of an unsupported kind cannot exist here, so simulate vanished files: remove them
    // once the scan has recorded them, before any is read (small files are read ahead of writing).
    let removed = false;
    const hook = (p: string) => {
      if (p === 'before-mark-scanned' && !removed) {
        removed = true;
        for (let i = 0; i < 5; i++) rmSync(path.join(src, `f${i}`));
      }
    };
    await assert.rejects(runLoad(opts({ store, source: src, maxErrors: 2, hook, concurrency: 1 })), TooManyErrors);
    assert.ok(!(await names(store)).includes(rootName(9)));
  });
});

describe('runLoad inside its own source', () => {
  test('the state dir and a local destination inside the source are not loaded', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-self-'));
    try {
      const src = path.join(tmp, 'src');
      mkdirSync(src);
      writeFileSync(path.join(src, 'data.txt'), 'data\n');
      const dest = path.join(src, 'my-container');
      mkdirSync(dest);
      const { LocalDirStore } = await import('../../src/store/local-dir-store.js');
      const r = await runLoad({
        source: src, stateDir: path.join(src, 'my-state'), store: new LocalDirStore(dest, { fsync: false }), destinationIdentity: `file://${dest}`,
        compression: 'LZ4', preserveHardlinks: false, maxErrors: 1, exclude: [path.join(src, 'my-state'), dest],
      });
      assert.equal(r.snapshot.status, 'Completed');
      assert.equal(r.snapshot.total, 2, 'the root and data.txt only');
      assert.match(readFileSync(path.join(src, 'my-state', 'output.txt'), 'utf8'), /skipping .*my-container/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  // The test above passes `exclude` itself; this one checks that the CLI (load-action) passes it.
  test('the CLI excludes its own state dir and a local destination inside the source', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-self-cli-'));
    try {
      const src = path.join(tmp, 'src');
      mkdirSync(path.join(src, 'sub'), { recursive: true });
      writeFileSync(path.join(src, 'data.txt'), 'data\n');
      writeFileSync(path.join(src, 'sub', 'more.txt'), 'more\n');
      const dest = path.join(src, 'my-container');
      const state = path.join(src, 'my-state');
      const r = await runCli(['load', src, dest, '--state-path', state]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(summaryField(r.stdout, 'Total Number Of Transfers'), '4', 'the root, data.txt, sub and sub/more.txt only');
      const out = path.join(tmp, 'export');
      const e = await runCli(['export', dest, out]);
      assert.equal(e.code, 0, e.stdout + e.stderr);
      assert.deepEqual(readdirSync(out, { recursive: true }).map(String).sort(), ['data.txt', 'sub', path.join('sub', 'more.txt')]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
