import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockMapBuilder, inlineBmap, locateBlock, segmentCount, type IndirectBlock } from '../../src/format/index.js';

/** Label ids "D1", "I3", ... as bytes so traces read like the spec. */
const id = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

function run(nseg: number, opts?: { directSlots?: number; pointersPerBlock?: number }) {
  let n = 0;
  const b = new BlockMapBuilder(id('inode'), () => id(`I${++n}`), opts);
  const written: { when: string; blk: IndirectBlock }[] = [];
  for (let k = 1; k <= nseg; k++) for (const blk of b.add(id(`D${k}`))) written.push({ when: `D${k}`, blk });
  for (const blk of b.finish()) written.push({ when: 'finish', blk });
  return { written, bmap: b.bmap(8388608) };
}

const shape = (w: { when: string; blk: IndirectBlock }[]) => w.map(({ when, blk }) => `${when}:(${blk.tree},${blk.depth},${blk.pointers.length})`);

test('A.8 real constants', () => {
  const table: [number, string[], number][] = [
    [1023, [], 0],
    [1024, ['finish:(0,0,1)'], 1],
    [5119, ['D5119:(0,0,4096)'], 1],
    [5120, ['D5119:(0,0,4096)', 'finish:(1,1,1)', 'finish:(1,0,1)'], 2],
    [9215, ['D5119:(0,0,4096)', 'D9215:(1,1,4096)', 'finish:(1,1,0)', 'finish:(1,0,2)'], 2],
    [9216, ['D5119:(0,0,4096)', 'D9215:(1,1,4096)', 'finish:(1,1,1)', 'finish:(1,0,2)'], 2],
  ];
  for (const [nseg, want, roots] of table) {
    const { written, bmap } = run(nseg);
    assert.deepEqual(shape(written), want, `nseg ${nseg}`);
    assert.equal(bmap.direct.length, Math.min(1024, 1 + nseg));
    assert.equal(str(bmap.direct[0]), 'inode');
    assert.equal(bmap.indirectRoots.filter((r) => r.some((x) => x !== 0)).length, roots, `roots for ${nseg}`);
    assert.equal(bmap.indirectRoots.length, 4);
    for (const { blk } of written) assert.equal(blk.offset, (BigInt(blk.tree) << 16n) + BigInt(blk.depth));
  }
});

const small = { directSlots: 3, pointersPerBlock: 2 };
const trace = (w: { when: string; blk: IndirectBlock }[]) =>
  w.map(({ when, blk }) => `${when} ${str(blk.id)}=(${blk.tree},${blk.depth})[${blk.pointers.map(str).join(',')}]`);
const roots = (r: Uint8Array[]) => r.map((x) => (x.every((b) => b === 0) ? null : str(x)));

test('A.8 scaled-down trace, nseg 7', () => {
  const { written, bmap } = run(7, small);
  assert.deepEqual(bmap.direct.map(str), ['inode', 'D1', 'D2']);
  assert.deepEqual(trace(written), [
    'D4 I1=(0,0)[D3,D4]',
    'D6 I2=(1,1)[D5,D6]',
    'finish I3=(1,1)[D7]',
    'finish I4=(1,0)[I2,I3]',
  ]);
  assert.deepEqual(roots(bmap.indirectRoots), ['I1', 'I4', null, null]);
});

test('A.8 scaled-down trace, nseg 12 (empty leaf)', () => {
  const { written, bmap } = run(12, small);
  assert.deepEqual(trace(written), [
    'D4 I1=(0,0)[D3,D4]',
    'D6 I2=(1,1)[D5,D6]',
    'D8 I3=(1,1)[D7,D8]',
    'D8 I4=(1,0)[I2,I3]',
    'D10 I5=(2,2)[D9,D10]',
    'D12 I6=(2,2)[D11,D12]',
    'D12 I7=(2,1)[I5,I6]',
    'finish I8=(2,2)[]',
    'finish I9=(2,1)[I8]',
    'finish I10=(2,0)[I7,I9]',
  ]);
  assert.deepEqual(roots(bmap.indirectRoots), ['I1', 'I4', 'I10', null]);
});

test('the segment that completes the last tree fails the file', () => {
  // Scaled capacities 2+4+8+16 = 30 tree segments after 2 direct ones.
  const b = new BlockMapBuilder(id('inode'), () => id('I'), small);
  for (let k = 1; k <= 31; k++) b.add(id(`D${k}`));
  assert.throws(() => b.add(id('D32')), { code: 'CLFS_LIMIT' });
});

test('locateBlock: §8.4 worked examples', () => {
  assert.deepEqual(locateBlock(0), { direct: 0 });
  assert.deepEqual(locateBlock(1), { direct: 1 });
  assert.deepEqual(locateBlock(1023), { direct: 1023 });
  assert.deepEqual(locateBlock(1024), { tree: 0, path: [0] });
  assert.deepEqual(locateBlock(1280), { tree: 0, path: [256] });
  assert.deepEqual(locateBlock(5120), { tree: 1, path: [0, 0] });
  assert.deepEqual(locateBlock(131072), { tree: 1, path: [30, 3072] });
  assert.throws(() => locateBlock(-1), { code: 'CLFS_BAD_VALUE' });
});

test('locateBlock inverts the builder (scaled-down, every block up to 29 tree segments)', () => {
  const nseg = 2 + 29;
  let n = 0;
  const blocks = new Map<string, IndirectBlock>();
  const b = new BlockMapBuilder(id('inode'), () => id(`I${++n}`), small);
  const keep = (bs: IndirectBlock[]) => bs.forEach((x) => blocks.set(str(x.id), x));
  for (let k = 1; k <= nseg; k++) keep(b.add(id(`D${k}`)));
  keep(b.finish());
  const bmap = b.bmap(8388608);
  for (let k = 1; k <= nseg; k++) {
    const loc = locateBlock(k, small);
    let found: Uint8Array;
    if ('direct' in loc) found = bmap.direct[loc.direct];
    else {
      let cur = bmap.indirectRoots[loc.tree];
      for (const digit of loc.path) cur = blocks.get(str(cur))!.pointers[digit];
      found = cur;
    }
    assert.equal(str(found), `D${k}`, `block ${k}`);
  }
});

test('segmentCount', () => {
  assert.equal(segmentCount(0n), 0);
  assert.equal(segmentCount(16384n), 0);
  assert.equal(segmentCount(16385n), 1);
  assert.equal(segmentCount(16384n + 8388608n), 1);
  assert.equal(segmentCount(16384n + 8388608n + 1n), 2);
  assert.equal(segmentCount(9n * 1048576n + 102400n), 2);
  assert.equal(segmentCount(318067n, 16384n, 262144n), 2);
});

test('inlineBmap is the builder\'s BMAP for an object with no segment', () => {
  const own = Uint8Array.from({ length: 24 }, (_, i) => i + 1);
  const b = new BlockMapBuilder(own, () => new Uint8Array(16));
  b.finish();
  assert.deepEqual(inlineBmap(own, 8388608), b.bmap(8388608));
  assert.notEqual(inlineBmap(own, 1).indirectRoots, inlineBmap(own, 1).indirectRoots, 'each caller gets its own list');
});
