/**
 * Readers against hostile stores and containers (issue 23): oversized blobs are refused before
 * they are fetched, a swapped inode blob is not returned as the file asked for, a listing that
 * repeats its continuation marker fails instead of looping, and ls -R's work does not grow
 * quadratically with depth (counted in store calls and characters built, never timed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, StoreError } from '../../src/errors.js';
import { ROOT_ID } from '../../src/format/index.js';
import { Container } from '../../src/read/container.js';
import { MAX_STORED_BLOB_BYTES } from '../../src/read/blob-limit.js';
import { DisplayPath } from '../../src/read/display-path.js';
import { resolvePath } from '../../src/read/resolve-path.js';
import { fileChunks } from '../../src/read/file-content.js';
import { verifyContainer } from '../../src/read/verify.js';
import { listAll, type BlobInfo, type BlobPage, type BlobStore, type ListOptions } from '../../src/store/blob-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { lsContainer, lsOpenOptions } from '../../src/cli/commands/ls-action.js';
import { outputs } from '../../src/cli/output-stream.js';
import { Writable } from 'node:stream';
import { chainContainer } from './synthetic.js';

/** A store that counts calls and can claim other sizes for some blobs (in listings and HEAD) or return other bytes. */
class SpyStore implements BlobStore {
  readonly description = 'spy store';
  lists = 0;
  readonly gets: string[] = [];
  readonly claimedSizes = new Map<string, number>();
  readonly servedBytes = new Map<string, Uint8Array>();
  constructor(readonly inner: MemoryStore) {}
  private claim(i: BlobInfo): BlobInfo {
    return { name: i.name, size: this.claimedSizes.get(i.name) ?? i.size };
  }
  async listPage(o?: ListOptions): Promise<BlobPage> {
    this.lists++;
    const p = await this.inner.listPage(o);
    return { ...p, items: p.items.map((i) => this.claim(i)) };
  }
  readonly caps: (number | undefined)[] = [];
  async get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    this.gets.push(name);
    this.caps.push(maxBytes);
    // servedBytes ignores the cap: a store that does not honour it (the reader checks after GET too)
    return this.servedBytes.get(name) ?? this.inner.get(name, signal, maxBytes);
  }
  async head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    const i = await this.inner.head(name, signal);
    return i && this.claim(i);
  }
  put(name: string, data: Uint8Array): Promise<void> {
    return this.inner.put(name, data);
  }
  putIfAbsent(name: string, data: Uint8Array): Promise<boolean> {
    return this.inner.putIfAbsent(name, data);
  }
  delete(name: string): Promise<boolean> {
    return this.inner.delete(name);
  }
  checkAccess(): Promise<void> {
    return this.inner.checkAccess();
  }
}

const isLimit = (blob: string) => (e: unknown): boolean => e instanceof FormatError && e.code === 'CLFS_LIMIT' && e.blob === blob && /not read/.test(e.message);

test('a blob listed bigger than any CLFS object is refused before it is fetched (lazy and full index, verify)', async () => {
  const { store, chain } = await chainContainer(2);
  const spy = new SpyStore(store);
  spy.claimedSizes.set(chain[1].blob, 1_500_000_000); // a 1.5 GB (sparse) inode blob
  for (const index of ['lazy', 'full'] as const) {
    const c = await Container.open(spy, { index });
    await assert.rejects(c.readInode(chain[1].id), isLimit(chain[1].blob), index);
  }
  const report = await verifyContainer(spy);
  assert.equal(report.ok, false);
  assert.ok(report.findings.some((f) => f.blob === chain[1].blob && /CLFS_LIMIT/.test(f.message)), JSON.stringify(report.findings));
  assert.ok(!spy.gets.includes(chain[1].blob), 'the oversized blob was never fetched');
});

test('a blob with no listed size (a segment in lazy mode) is sized by HEAD first; bytes over the limit after GET are refused', async () => {
  const { store, chain } = await chainContainer(1);
  const spy = new SpyStore(store);
  const c = await Container.open(spy, { index: 'lazy' });
  spy.claimedSizes.set(chain[0].blob, MAX_STORED_BLOB_BYTES + 1);
  await assert.rejects(c.readObject(chain[0].blob), isLimit(chain[0].blob));
  assert.deepEqual(spy.gets, []);
  // the store lists a small size but serves more (it grew, or the store lies): refused after GET
  spy.claimedSizes.clear();
  spy.servedBytes.set(chain[0].blob, new Uint8Array(MAX_STORED_BLOB_BYTES + 1));
  await assert.rejects(c.readObject(chain[0].blob), (e: unknown) => e instanceof FormatError && e.code === 'CLFS_LIMIT' && /grew/.test(e.message));
});

test('the reader gives the store its cap: a blob listed small but stored huge is refused by the store, not read whole', async () => {
  const { store, chain } = await chainContainer(1);
  const spy = new SpyStore(store);
  const c = await Container.open(spy, { index: 'lazy' });
  const real = await store.get(chain[0].blob);
  spy.claimedSizes.set(chain[0].blob, real.length); // the listing and HEAD keep the old, small size
  await store.put(chain[0].blob, new Uint8Array(MAX_STORED_BLOB_BYTES + 1));
  await assert.rejects(c.readObject(chain[0].blob), (e: unknown) => e instanceof FormatError && e.code === 'CLFS_LIMIT' && e.blob === chain[0].blob && /limit of this read/.test(e.message));
  assert.deepEqual(spy.caps, [MAX_STORED_BLOB_BYTES]);
});

test('an inode blob holding another object (swapped blobs) is a FormatError naming the blob, not the other file', async () => {
  const { store, extra } = await chainContainer(0, { extra: [{ name: new Uint8Array(Buffer.from('a')), type: 'file' }, { name: new Uint8Array(Buffer.from('b')), type: 'file' }] });
  const [a, b] = extra;
  const bytesA = await store.get(a.blob);
  await store.put(a.blob, await store.get(b.blob));
  await store.put(b.blob, bytesA);
  for (const index of ['lazy', 'full'] as const) {
    const c = await Container.open(store, { index });
    await assert.rejects(resolvePath(c, 'a'), (e: unknown) => e instanceof FormatError && e.code === 'CLFS_BAD_OBJECT' && e.blob === a.blob && /swapped/.test(e.message), index);
  }
  // the unswapped container reads fine (the check accepts the object's own id, the root included)
  const fresh = await chainContainer(0, { extra: [{ name: new Uint8Array(Buffer.from('a')), type: 'file' }] });
  const c = await Container.open(fresh.store, { index: 'lazy' });
  const node = await resolvePath(c, 'a');
  for await (const chunk of fileChunks(c, node.id, node.inode)) assert.equal(chunk.length, 0);
  assert.ok((await c.readInode(ROOT_ID)).inode.entries);
});

/** A store whose listing always answers "more, continue from m" (a broken or hostile endpoint). */
function loopingStore(inner: MemoryStore, markers: string[]): BlobStore {
  let n = 0;
  return Object.assign(Object.create(inner) as BlobStore, {
    async listPage(o?: ListOptions): Promise<BlobPage> {
      if (n > 1000) throw new Error('1000 pages listed: the reader does not stop on a repeated marker');
      const p = await inner.listPage({ ...o, continuation: undefined });
      return { items: p.items, continuation: markers[n++ % markers.length] };
    },
  });
}

test('a listing that repeats a continuation marker fails with CLFS_STORE_BAD_LISTING (readers do not hang)', async () => {
  const { store } = await chainContainer(1);
  const isBadListing = (e: unknown): boolean => e instanceof StoreError && e.code === 'CLFS_STORE_BAD_LISTING' && !e.retryable;
  for (const markers of [['m'], ['a', 'b', 'c']]) {
    await assert.rejects(async () => {
      for await (const _ of listAll(loopingStore(store, markers))) void _;
    }, isBadListing, markers.join());
    await assert.rejects(Container.open(loopingStore(store, markers), { index: 'full' }), isBadListing);
    await assert.rejects(Container.open(loopingStore(store, markers), { index: 'lazy' }), isBadListing);
    const report = await verifyContainer(loopingStore(store, markers));
    assert.equal(report.ok, false);
    assert.match(report.findings.find((f) => f.code === 'VERIFY_LIST_FAILED')?.message ?? '', /repeats a continuation marker/);
  }
  // distinct markers (a long listing) are fine
  const names: string[] = [];
  for await (const b of listAll(await paged(store))) names.push(b.name);
  assert.equal(names.length, store.size);
});

async function paged(store: MemoryStore): Promise<MemoryStore> {
  const small = new MemoryStore({ maxPageSize: 1 });
  for await (const b of listAll(store)) await small.put(b.name, await store.get(b.name));
  return small;
}

/** Runs lsContainer with stdout/stderr captured. */
async function runLs(c: Container, path: string, opts: { recursive?: boolean; long?: boolean }): Promise<{ out: string; err: string; problems: number }> {
  const sink = (chunks: Buffer[]): Writable => new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(Buffer.from(chunk)); cb(); } });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const saved = { ...outputs };
  outputs.stdout = sink(out);
  outputs.stderr = sink(err);
  try {
    const problems = await lsContainer(c, path, opts);
    return { out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8'), problems };
  } finally {
    Object.assign(outputs, saved);
  }
}

test('ls -R of a deep chain lists the container once and builds each path only for its header', async () => {
  const DEPTH = 300;
  const { store } = await chainContainer(DEPTH, { files: true });
  const spy = new SpyStore(store);
  const opts = { recursive: true, long: true };
  const c = await Container.open(spy, lsOpenOptions(opts));
  const before = DisplayPath.builtChars;
  const r = await runLs(c, '', opts);
  const built = DisplayPath.builtChars - before;
  assert.equal(r.problems, 0, r.err);
  const headers = r.out.split('\n').filter((l) => l.endsWith(':') && !l.includes(' '));
  assert.equal(headers.length, DEPTH + 1);
  assert.equal(headers[DEPTH], `${Array(DEPTH).fill('d').join('/')}:`);
  // one listing for the whole walk (pages of 5000), not one per directory
  assert.ok(spy.lists <= 2, `${spy.lists} listPage calls for ${DEPTH} directories`);
  // the paths built are exactly the headers printed: nothing is copied per entry or per level
  assert.equal(built, headers.reduce((n, h) => n + h.length - 1, 0) - 1 /* the root's "." is not built */);
  // a long listing of the deepest directory builds no path at all
  const lazy = await Container.open(store, lsOpenOptions({ long: true }));
  const b2 = DisplayPath.builtChars;
  const deep = await runLs(lazy, Array(DEPTH).fill('d').join('/'), { long: true });
  assert.match(deep.out, /^-rw-r--r-- .* f\n$/);
  assert.equal(DisplayPath.builtChars - b2, 0);
});
