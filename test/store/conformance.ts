/**
 * The BlobStore conformance suite, defined once and run against every implementation and wrapper
 * (one short *.test.ts per store). Each test gets a fresh, empty store from `makeStore`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listAll, type BlobStore } from '../../src/store/blob-store.js';
import { AbortedError, FormatError, StoreError } from '../../src/errors.js';
import { mapLimit } from '../helpers/stores.js';

export interface ConformanceOptions {
  /** a store whose container does not exist (for checkAccess / operation tests) */
  makeMissingStore?: () => Promise<BlobStore>;
  /** blobs for the paging test (default 5,100) */
  manyCount?: number;
  /** puts in flight while filling (default 32) */
  concurrency?: number;
}

/** Names with every character the CLFS format puts in blob names (§4), plus log blob names. */
export const FORMAT_NAMES = [
  '00000063_00000000000000000000000000000063.00000000009.FFFFFFFF.0001',
  '0000006457871C6B_00000000000000000000000000000064.0002.0000006457871C6B.00000000009.FFFFFFFF.0002',
  'tmp0000006457871C6B_00000000000000000000000000000064.0002.0000006457871C6B.00000000009.FFFFFFFF.0002',
  '21716FCF3581BCE5_71FB343E0000020000040000000000000BD2894E3AA9DAAC.0001.0000006457871C6B.00000000009.FFFFFFFF.0002',
  'D2A32A134006C143_6078E46E1AC546A89D4E0EA9E103AAC0.0008.3472CD9FBAC33F2F.00000000011.FFFFFFFF.0002',
  'output.txt',
  'output.process-transfer-1.txt',
  'output.process-reconcile-0.txt',
];

const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function expectStoreError(p: Promise<unknown>, code: string): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected StoreError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

export function runBlobStoreConformance(name: string, makeStore: () => Promise<BlobStore>, options: ConformanceOptions = {}): void {
  const withStore = (fn: (store: BlobStore) => Promise<void>) => async () => {
    const store = await makeStore();
    try {
      await fn(store);
    } finally {
      await store.close?.();
    }
  };

  describe(`BlobStore conformance: ${name}`, () => {
    it('round-trips empty, 1-byte and 9 MiB blobs, with head sizes', withStore(async (store) => {
      const big = randomBytes(9 * 1024 * 1024);
      const cases: [string, Uint8Array][] = [['EMPTY', new Uint8Array(0)], ['ONE', Uint8Array.of(0xa5)], ['BIG', big]];
      for (const [n, data] of cases) await store.put(n, data);
      for (const [n, data] of cases) {
        const got = await store.get(n);
        assert.equal(got.length, data.length, n);
        assert.ok(Buffer.from(got).equals(Buffer.from(data)), `${n} bytes differ`);
        assert.deepEqual(await store.head(n), { name: n, size: data.length });
      }
      const listed = [];
      for await (const b of listAll(store)) listed.push(b);
      assert.deepEqual(listed, [{ name: 'BIG', size: big.length }, { name: 'EMPTY', size: 0 }, { name: 'ONE', size: 1 }]);
    }));

    it('overwrites a blob in place', withStore(async (store) => {
      await store.put('X', Buffer.from('first version, longer'));
      await store.put('X', Buffer.from('second'));
      assert.equal(Buffer.from(await store.get('X')).toString(), 'second');
      assert.deepEqual(await store.head('X'), { name: 'X', size: 6 });
      const names = [];
      for await (const b of listAll(store)) names.push(b.name);
      assert.deepEqual(names, ['X']);
    }));

    it('get with maxBytes: a blob within the cap is returned whole, a bigger one refused (CLFS_LIMIT naming it)', withStore(async (store) => {
      const data = randomBytes(1000);
      await store.put('CAP', data);
      await store.put('CAP0', new Uint8Array(0));
      assert.ok(Buffer.from(await store.get('CAP', undefined, 1000)).equals(data), 'exactly at the cap');
      assert.equal((await store.get('CAP0', undefined, 0)).length, 0);
      const overLimit = (e: unknown): boolean => e instanceof FormatError && e.code === 'CLFS_LIMIT' && e.blob === 'CAP' && /999-byte limit/.test(e.message);
      await assert.rejects(store.get('CAP', undefined, 999), overLimit);
      await assert.rejects(store.get('CAP', undefined, 0), (e: unknown) => e instanceof FormatError && e.code === 'CLFS_LIMIT' && e.blob === 'CAP');
      await store.put('BIGCAP', randomBytes(9 * 1024 * 1024));
      await assert.rejects(store.get('BIGCAP', undefined, 1024 * 1024), (e: unknown) => e instanceof FormatError && e.code === 'CLFS_LIMIT' && e.blob === 'BIGCAP');
      await expectStoreError(store.get('NOPE.0001', undefined, 10), 'CLFS_STORE_NOT_FOUND');
    }));

    it('reports missing blobs: get → NOT_FOUND, head → undefined, delete → false', withStore(async (store) => {
      const err = await expectStoreError(store.get('NOPE.0001'), 'CLFS_STORE_NOT_FOUND');
      assert.equal(err.blob, 'NOPE.0001');
      assert.equal(err.retryable, false);
      assert.equal(await store.head('NOPE.0001'), undefined);
      assert.equal(await store.delete('NOPE.0001'), false);
      await store.put('NOPE.0001', Uint8Array.of(1));
      assert.equal(await store.delete('NOPE.0001'), true);
      assert.equal(await store.head('NOPE.0001'), undefined);
      await expectStoreError(store.get('NOPE.0001'), 'CLFS_STORE_NOT_FOUND');
    }));

    it('stores every character the format uses and lists in UTF-8 byte order', withStore(async (store) => {
      const extra = ['a', 'B', '_x', '0', '9Z', 'tmp', 'tm', 'Z.z'];
      const all = [...FORMAT_NAMES, ...extra];
      await mapLimit(all, 8, (n, i) => store.put(n, Buffer.from(`blob ${i}`)));
      for (const [i, n] of all.entries()) assert.equal(Buffer.from(await store.get(n)).toString(), `blob ${i}`, n);
      const listed = [];
      for await (const b of listAll(store)) listed.push(b.name);
      assert.deepEqual(listed, [...all].sort(byUtf8));
      const tmp = [];
      for await (const b of listAll(store, { prefix: 'tmp' })) tmp.push(b.name);
      assert.deepEqual(tmp, ['tmp', FORMAT_NAMES[2]]);
      const logs = [];
      for await (const b of listAll(store, { prefix: 'output.process-' })) logs.push(b.name);
      assert.deepEqual(logs, ['output.process-reconcile-0.txt', 'output.process-transfer-1.txt']);
    }));

    it('pages through 5,000+ blobs with prefixes and continuations', withStore(async (store) => {
      const count = options.manyCount ?? 5100;
      const names = Array.from({ length: count }, (_, i) => `${(i * 7919) % count}`.padStart(5, '0').replace(/^0/, i % 2 ? 'A' : 'B'));
      const unique = [...new Set(names)];
      await mapLimit(unique, options.concurrency ?? 32, (n) => store.put(n, Buffer.from(n)));
      await store.put('C-outside', Uint8Array.of(1));
      const pages: string[][] = [];
      let continuation: string | undefined;
      do {
        const page = await store.listPage({ prefix: 'A', pageSize: 1000, continuation });
        assert.ok(page.items.length <= 1000, 'page larger than asked');
        pages.push(page.items.map((b) => b.name));
        continuation = page.continuation;
      } while (continuation);
      const expectA = unique.filter((n) => n.startsWith('A')).sort(byUtf8);
      assert.deepEqual(pages.flat(), expectA);
      assert.ok(pages.length >= Math.ceil(expectA.length / 1000), 'expected several pages');
      const all = [];
      for await (const b of listAll(store)) all.push(b);
      assert.equal(all.length, unique.length + 1);
      assert.deepEqual(all.map((b) => b.name), [...unique, 'C-outside'].sort(byUtf8));
      assert.ok(all.every((b) => b.size === (b.name === 'C-outside' ? 1 : b.name.length)));
      const none = await store.listPage({ prefix: 'ZZZ' });
      assert.deepEqual(none.items, []);
      assert.equal(none.continuation, undefined);
    }));

    it('putIfAbsent creates a blob only once: of racing creates exactly one wins, the rest change nothing', withStore(async (store) => {
      assert.equal(await store.putIfAbsent('CLAIM', Buffer.from('first')), true);
      assert.equal(await store.putIfAbsent('CLAIM', Buffer.from('second, longer')), false);
      assert.equal(Buffer.from(await store.get('CLAIM')).toString(), 'first');
      await store.put('PUT', Buffer.from('by put'));
      assert.equal(await store.putIfAbsent('PUT', Buffer.from('by putIfAbsent')), false);
      assert.equal(Buffer.from(await store.get('PUT')).toString(), 'by put');
      assert.equal(await store.putIfAbsent('EMPTY', new Uint8Array(0)), true);
      assert.deepEqual(await store.head('EMPTY'), { name: 'EMPTY', size: 0 });
      assert.equal(await store.delete('CLAIM'), true);
      assert.equal(await store.putIfAbsent('CLAIM', Buffer.from('again')), true, 'a deleted name is free again');
      const big = randomBytes(3 * 1024 * 1024);
      assert.equal(await store.putIfAbsent('BIG', big), true);
      assert.ok(Buffer.from(await store.get('BIG')).equals(big));
      for (let round = 0; round < 5; round++) {
        const racers = Array.from({ length: 8 }, (_, i) => Buffer.from(`racer ${i} of round ${round}`));
        const won = await Promise.all(racers.map((d) => store.putIfAbsent(`RACE${round}`, d)));
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won.join(',')}`);
        assert.equal(Buffer.from(await store.get(`RACE${round}`)).toString(), racers[won.indexOf(true)].toString());
      }
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(store.putIfAbsent('ABORTED', Uint8Array.of(1), ac.signal), AbortedError);
      assert.equal(await store.head('ABORTED'), undefined);
      const listed = [];
      for await (const b of listAll(store)) listed.push(b.name);
      assert.deepEqual(listed, ['BIG', 'CLAIM', 'EMPTY', 'PUT', 'RACE0', 'RACE1', 'RACE2', 'RACE3', 'RACE4']);
    }));

    it('checkAccess passes on an existing container', withStore(async (store) => {
      await store.checkAccess();
    }));

    it('honours an already-aborted signal', withStore(async (store) => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(store.put('A', Uint8Array.of(1), ac.signal), AbortedError);
      await assert.rejects(store.get('A', ac.signal), AbortedError);
      assert.equal(await store.head('A'), undefined);
    }));

    it('putFileRange, where the store has it: head + the range + tail, new or replacing; a short file or a failed read leaves nothing', withStore(async (store) => {
      if (!store.putFileRange) return;
      const putRange = store.putFileRange.bind(store);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-range-'));
      const source = randomBytes(3 * 1024 * 1024 + 100);
      writeFileSync(path.join(dir, 'src'), source);
      const fh = await open(path.join(dir, 'src'), 'r');
      const writeOnly = await open(path.join(dir, 'wo'), 'w');
      class ReadFailed extends Error {}
      const range = (offset: number, length: number, fd = fh.fd) => ({ fd, offset, length, readError: (err: unknown) => new ReadFailed(String(err)) });
      try {
        const head = randomBytes(28);
        const tail = randomBytes(40);
        const len = 2 * 1024 * 1024 + 7;
        assert.equal(await putRange('N', head, range(1000, len), tail), len);
        assert.ok(Buffer.from(await store.get('N')).equals(Buffer.concat([head, source.subarray(1000, 1000 + len), tail])));
        await store.put('R', Uint8Array.of(9, 9));
        assert.equal(await putRange('R', tail, range(0, source.length), head), source.length, 'replaces');
        assert.ok(Buffer.from(await store.get('R')).equals(Buffer.concat([tail, source, head])));
        assert.equal(await putRange('E', head, range(5, 0), tail), 0);
        assert.ok(Buffer.from(await store.get('E')).equals(Buffer.concat([head, tail])), 'an empty range');
        // the file is shorter than the range: the count says so and nothing of the put is left
        assert.equal(await putRange('S', head, range(source.length - 10, 100), tail), 10);
        assert.equal(await store.head('S'), undefined);
        assert.equal(await putRange('R', head, range(source.length - 10, 100), tail), 10);
        assert.ok(Buffer.from(await store.get('R')).equals(Buffer.concat([tail, source, head])), 'the old blob stays');
        // a file that cannot be read fails with the range's own error, not a store error
        await assert.rejects(putRange('W', head, range(0, 100, writeOnly.fd), tail), ReadFailed);
        assert.equal(await store.head('W'), undefined);
        const ac = new AbortController();
        ac.abort();
        await assert.rejects(putRange('A', head, range(0, 10), tail, ac.signal), AbortedError);
        assert.equal(await store.head('A'), undefined);
      } finally {
        await fh.close();
        await writeOnly.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }));

    if (options.makeMissingStore) {
      const makeMissing = options.makeMissingStore;
      it('reports a missing container as CLFS_STORE_CONTAINER_MISSING', async () => {
        const store = await makeMissing();
        try {
          await expectStoreError(store.checkAccess(), 'CLFS_STORE_CONTAINER_MISSING');
          await expectStoreError(store.get('A'), 'CLFS_STORE_CONTAINER_MISSING');
          await expectStoreError(store.listPage(), 'CLFS_STORE_CONTAINER_MISSING');
          await expectStoreError(store.putIfAbsent('A', Uint8Array.of(1)), 'CLFS_STORE_CONTAINER_MISSING');
        } finally {
          await store.close?.();
        }
      });
    }
  });
}
