/**
 * Segments a local store copies itself (BlobStore.putFileRange): with compression off every
 * segment, with LZ4 those whose first 256 KiB chunk does not compress. The same seeded job loaded
 * into a local directory (copies) and into memory (every segment read into a buffer) must give
 * the same blobs byte for byte.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad } from '../../src/load/run-load.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { listAll, type BlobStore } from '../../src/store/blob-store.js';
import { parseBlobName, Btype } from '../../src/format/index.js';
import { mulberry32 } from '../../src/util/seeded-random.js';
import type { RandomSource } from '../../src/format/ids.js';

const MiB = 1024 * 1024;
let tmp: string;
let source: string;

function seeded(seed: number): RandomSource {
  const r = mulberry32(seed);
  const u32 = () => Math.floor(r() * 2 ** 32) >>> 0;
  return { u32, u64: () => (BigInt(u32()) << 32n) | BigInt(u32()), bytes: (n) => Uint8Array.from({ length: n }, () => u32() & 0xff) };
}

function noise(n: number, seed: number): Buffer {
  const r = mulberry32(seed);
  return Buffer.from(Uint8Array.from({ length: n }, () => Math.floor(r() * 256)));
}

const text = (n: number) => Buffer.alloc(n, 'segments copied by the kernel, or read and compressed by us; ');

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-segment-copy-'));
  source = path.join(tmp, 'src');
  mkdirSync(source);
  // 16 KiB inline, then segments of 8 MiB and a shorter last one
  writeFileSync(path.join(source, 'random.bin'), noise(9 * MiB, 1));
  writeFileSync(path.join(source, 'text.txt'), text(9 * MiB));
  // the first chunk does not compress: stored raw whatever follows (§5.1 rule 2)
  writeFileSync(path.join(source, 'random-then-text.bin'), Buffer.concat([noise(MiB, 2), text(8 * MiB)]));
  // the first chunk compresses, a later one does not: read and compressed, then stored raw
  writeFileSync(path.join(source, 'text-then-random.bin'), Buffer.concat([text(MiB), noise(8 * MiB, 3)]));
  // a last segment shorter than the first chunk: read as usual
  writeFileSync(path.join(source, 'short-tail.bin'), noise(16 * 1024 + 8 * MiB + 100 * 1024, 4));
  // Read everything once: the first read after a write moves atimes (relatime), which inodes record,
  // and both loads must see the same ones.
  for (const name of readdirSync(source)) readFileSync(path.join(source, name));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function objects(store: BlobStore): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const b of listAll(store)) {
    if (parseBlobName(b.name).kind !== 'v2') continue; // log blobs carry times
    out.set(b.name, Buffer.from(await store.get(b.name)));
  }
  return out;
}

for (const compression of ['DISABLED', 'LZ4'] as const) {
  test(`${compression}: the blobs of segments copied by the store are the blobs of segments read into buffers`, async () => {
    const local = new LocalDirStore(mkdtempSync(path.join(tmp, 'dest-')), { fsync: false });
    assert.ok(local.putFileRange, 'native/copy-range is built');
    const copy = local.putFileRange.bind(local);
    const copied: string[] = [];
    (local as { putFileRange: typeof copy }).putFileRange = (name, ...rest) => (copied.push(name), copy(name, ...rest));
    const memory = new MemoryStore();
    for (const store of [local, memory]) {
      const r = await runLoad({
        store, source, stateDir: mkdtempSync(path.join(tmp, 'state-')), destinationIdentity: 'test://same',
        compression, preserveHardlinks: false, maxErrors: 0, random: seeded(7),
      });
      assert.equal(r.snapshot.status, 'Completed');
    }
    const [a, b] = [await objects(local), await objects(memory)];
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), 'the same objects');
    for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} differs`);
    const segments = [...a.keys()].filter((n) => {
      const p = parseBlobName(n);
      return p.kind === 'v2' && p.btype === Btype.SEGMENT;
    });
    assert.equal(segments.length, 10);
    assert.ok(copied.every((n) => segments.includes(n)));
    // off: all 10; LZ4: random.bin's 2, random-then-text's first, text-then-random's second, short-tail's first
    assert.equal(copied.length, compression === 'DISABLED' ? 10 : 5, copied.join(' '));
  });
}
