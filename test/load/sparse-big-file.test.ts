/**
 * A sparse 8.6 GB file (just past the 8 581 562 368 bytes the direct slots cover) needs indirect
 * tree 0 (§8.4): 1023 direct segments, then 2 segments behind one indirect block. Markers at
 * block boundaries check placement.
 * To keep it cheap (it still reads and encodes 9 GiB: ~5-10 s on 2 cores) it loads uncompressed
 * into a store that keeps whole every blob but the segments, of which it keeps the head and size.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../src/store/memory-store.js';
import { listAll } from '../../src/store/blob-store.js';
import { runLoad } from '../../src/load/run-load.js';
import { Btype, decodeObject, locateBlock, openBlob, parseBlobName, v2Name, rootName, type Dirent } from '../../src/format/index.js';

const SIZE = 16384n + 1024n * 8388608n + 12345n;

/** Segment payloads (uncompressed) start with a DATA handle: 4-byte envelope, 20-byte header, u32 length, data. */
const DATA_AT = 4 + 20 + 4;

/** Keeps whole blobs except file segments (btype 8), of which it keeps 64 bytes and the length. */
class SkimmingStore extends MemoryStore {
  readonly segments = new Map<string, { head: Buffer; size: number; dataLength: number }>();
  override async put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    const p = parseBlobName(name);
    if (p.kind === 'v2' && p.btype === Btype.SEGMENT) {
      const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      assert.equal(b.readUInt16LE(2), 0, 'stored uncompressed');
      this.segments.set(name, { head: Buffer.from(b.subarray(DATA_AT, DATA_AT + 64)), size: b.length, dataLength: b.readUInt32LE(24) });
      return;
    }
    return super.put(name, data, signal);
  }
}
const FIRST = 16384;
const SEG = 8388608;
/** block index → marker written at its first byte */
const MARKED = [1, 1023, 1024, 1025];

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-sparse-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a sparse 8.6 GB file uses indirect tree 0 and every block lands in its place', { timeout: 180_000 }, async () => {
  const src = path.join(tmp, 'sparse');
  mkdirSync(src);
  const file = path.join(src, 'big.img');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, Number(SIZE));
  for (const k of MARKED) writeSync(fd, Buffer.from(`BLOCK-${k}`), 0, 6 + String(k).length, FIRST + (k - 1) * SEG);
  closeSync(fd);

  const store = new SkimmingStore();
  const r = await runLoad({ source: src, stateDir: path.join(tmp, 'state'), store, destinationIdentity: 'memory://sparse', compression: 'DISABLED', preserveHardlinks: false, maxErrors: 1 });
  assert.equal(r.snapshot.status, 'Completed');

  const names: string[] = [];
  for await (const b of listAll(store)) names.push(b.name);
  const count = (bt: number) => names.filter((n) => { const p = parseBlobName(n); return p.kind === 'v2' && p.btype === bt; }).length;
  assert.equal(count(Btype.SEGMENT), 0, 'segments were skimmed, not stored');
  assert.equal(store.segments.size, 1025);
  assert.equal(count(Btype.INDIRECT), 1);

  const get = async (name: string) => decodeObject(openBlob(await store.get(name)).payload, name);
  const root = await get(rootName(9));
  assert.ok(root.kind === 'inode');
  const entry = (root.entries as Dirent[]).find((e) => Buffer.from(e.name).toString() === 'big.img')!;
  const inodeName = names.find((n) => n.startsWith(v2Name({ id: entry.fh, btype: Btype.REG, owner: new Uint8Array(16), version: 9 }).split('.')[0]))!;
  const inode = await get(inodeName);
  assert.ok(inode.kind === 'inode');
  assert.equal(inode.vattr.length, SIZE);
  assert.equal(inode.bmap.direct.length, 1024);
  const tree0 = inode.bmap.indirectRoots[0];
  assert.ok(tree0.some((b) => b !== 0));
  assert.ok(inode.bmap.indirectRoots.slice(1).every((id) => id.every((b) => b === 0)));
  const indirect = await get(v2Name({ id: tree0, btype: Btype.INDIRECT, owner: entry.fh, version: 9 }));
  assert.ok(indirect.kind === 'indirect');
  assert.equal(indirect.pointers.length, 2);
  assert.equal(indirect.databack.offset, 0n);

  for (const k of MARKED) {
    const loc = locateBlock(k);
    const id = 'direct' in loc ? inode.bmap.direct[loc.direct] : indirect.pointers[loc.path[0]];
    const seg = store.segments.get(v2Name({ id, btype: Btype.SEGMENT, owner: entry.fh, version: 9 }));
    assert.ok(seg, `segment ${k} stored under the name its map gives`);
    assert.equal(seg.head.subarray(0, 6 + String(k).length).toString(), `BLOCK-${k}`);
    const expectLen = k === 1025 ? 12345 : SEG;
    assert.equal(seg.dataLength, expectLen);
  }
});
