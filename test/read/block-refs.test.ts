/** segmentRefs against block maps built by the codec's BlockMapBuilder (real constants, §8.4, A.8). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockMapBuilder, Btype, Compression, encodeObject, idHex, newUuid4, sealBlobSync, v2Name } from '../../src/format/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { cryptoRandomSource } from '../../src/util/random.js';
import { Container } from '../../src/read/container.js';
import { segmentRefs } from '../../src/read/block-refs.js';

const random = cryptoRandomSource();
const owner = new Uint8Array(24).fill(0x11);

async function build(nseg: number) {
  const store = new MemoryStore();
  const b = new BlockMapBuilder(owner, () => newUuid4(random));
  const segs: Uint8Array[] = [];
  const blocks: { name: string; tree: number; depth: number; n: number }[] = [];
  const write = async (list: ReturnType<BlockMapBuilder['add']>) => {
    for (const blk of list) {
      const name = v2Name({ id: blk.id, btype: Btype.INDIRECT, owner, version: 9 });
      blocks.push({ name, tree: blk.tree, depth: blk.depth, n: blk.pointers.length });
      await store.put(name, sealBlobSync(encodeObject({ kind: 'indirect', pointers: blk.pointers, databack: { ctime: 0, offset: blk.offset, owner } }), Compression.NONE));
    }
  };
  for (let i = 0; i < nseg; i++) {
    const id = newUuid4(random);
    segs.push(id);
    await write(b.add(id));
  }
  await write(b.finish());
  return { store, segs, blocks, bmap: b.bmap(8388608) };
}

for (const nseg of [1023, 1024, 5119, 5120, 9215, 9216]) {
  test(`segmentRefs yields ${nseg} segments in order and reads every indirect block`, async () => {
    const { store, segs, blocks, bmap } = await build(nseg);
    const c = await Container.open(store);
    const seen: string[] = [];
    const got: string[] = [];
    for await (const ref of segmentRefs(c, owner, bmap, { limit: nseg, beforeIndirect: (n) => seen.push(n) })) {
      got.push(idHex(ref.id));
      assert.equal(ref.k, got.length);
      assert.equal(ref.name, v2Name({ id: ref.id, btype: Btype.SEGMENT, owner, version: 9 }));
    }
    assert.deepEqual(got, segs.map(idHex));
    // every written block is read, the empty leaf of nseg = 9215 included (A.8)
    assert.deepEqual([...seen].sort(), blocks.map((x) => x.name).sort());
    if (nseg === 9215) assert.ok(blocks.some((x) => x.tree === 1 && x.depth === 1 && x.n === 0));
  });
}

test('without a limit every pointer is followed', async () => {
  const { store, segs, bmap } = await build(1100);
  const c = await Container.open(store);
  let n = 0;
  for await (const _ of segmentRefs(c, owner, bmap)) n++;
  assert.equal(n, segs.length);
});

test('a missing indirect block throws CLFS_READ_MISSING_BLOB', async () => {
  const { store, blocks, bmap } = await build(1030);
  await store.delete(blocks[0].name);
  const c = await Container.open(store);
  await assert.rejects(async () => {
    for await (const _ of segmentRefs(c, owner, bmap, { limit: 1030 })) void _;
  }, { code: 'CLFS_READ_MISSING_BLOB' });
});
