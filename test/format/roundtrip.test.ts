/** Property tests: build → encode → decode → equal, for every object kind, with and without LZ4. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Btype, Compression, ROOT_ID, decodeDirents, decodeObject, decodeVattr, encodeDirents, encodeHandles, encodeObject, encodeVattr, isRootId,
  objectHandles, openBlob, parseBlobName, sealBlobSync, v2Name, type ClfsObject, type Vattr,
} from '../../src/format/index.js';

/** Records with an ordinary prototype, so deepStrictEqual compares them with decoded values. */
const rec = <T,>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const id = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 24, maxLength: 24 }));
const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 });
const time = rec({ sec: u32, nsec: u32 });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });

/** A VATTR whose btype is drawn from `btype` (an inode's btype decides which handles it must have, §7). */
const vattrOf = (btype: fc.Arbitrary<number>): fc.Arbitrary<Vattr> => rec({
  mode: fc.integer({ min: 0, max: 0xffff }), btype, uid: u32, gid: u32, length: u64,
  mtime: time, ctime: time, atime: time, used: u64, fsid: u64, fileid: u64, rdevMajor: u32, rdevMinor: u32,
  nlink: u32, containerId: u64, spare: fc.integer({ min: 0, max: 255 }), flags: u32, dtime: time, haVersion: u32,
});
const vattr = vattrOf(fc.integer({ min: 0, max: 255 }));
/** Btypes that are no inode type: such an inode needs only VATTR, BMAP and NAME. */
const otherBtype = fc.integer({ min: 0, max: 255 }).filter((b) => b === 0 || b > 7);
const bmap = rec({
  firstSegmentBytes: u32,
  otherSegmentBytes: u32,
  direct: fc.array(id, { minLength: 1, maxLength: 30 }),
  indirectRoots: fc.array(uuid, { minLength: 4, maxLength: 4 }),
});
const dirent = rec({ name: fc.uint8Array({ maxLength: 64 }), fh: id });
const databack = rec({ ctime: u32, offset: u64, owner: id });
const attrs = fc.array(fc.tuple(text, text), { maxLength: 8 });
const bytes = fc.uint8Array({ maxLength: 3000 });

const name = fc.uint8Array({ maxLength: 255 });
const inodeOf = (btype: fc.Arbitrary<number>) => ({ vattr: vattrOf(btype), bmap: bmap.filter((b) => !isRootId(b.direct[0])), name });
const rootBmap = bmap.map((b) => ({ ...b, direct: [ROOT_ID, ...b.direct.slice(1)] }));
const objects: Record<string, fc.Arbitrary<ClfsObject>> = {
  'file/symlink inode': rec({ kind: fc.constant('inode' as const), ...inodeOf(fc.constantFrom(Btype.REG, Btype.LNK)), back: fc.array(id, { minLength: 1, maxLength: 5 }), data: bytes }),
  'special inode': rec({ kind: fc.constant('inode' as const), ...inodeOf(fc.constantFrom(Btype.BLK, Btype.CHR, Btype.FIFO, Btype.SOCK)), back: fc.array(id, { maxLength: 5 }) }),
  'directory inode': rec({ kind: fc.constant('inode' as const), ...inodeOf(fc.constant(Btype.DIR)), entries: fc.array(dirent, { maxLength: 40 }) }),
  'root inode': rec({ kind: fc.constant('inode' as const), ...inodeOf(fc.constant(Btype.DIR)), bmap: rootBmap, entries: fc.array(dirent, { maxLength: 40 }), extattrs: attrs }),
  'inode of a non-inode btype': rec({ kind: fc.constant('inode' as const), ...inodeOf(otherBtype) }),
  'file segment': rec({ kind: fc.constant('file-segment' as const), data: bytes, databack }),
  'directory segment': rec({ kind: fc.constant('dir-segment' as const), entries: fc.array(dirent, { maxLength: 40 }), databack }),
  'indirect block': rec({ kind: fc.constant('indirect' as const), pointers: fc.array(uuid, { maxLength: 100 }), databack }),
  'bucket object': rec({ kind: fc.constant('bucket' as const), attrs }),
};

for (const [label, arb] of Object.entries(objects)) {
  test(`round trip: ${label}`, () => {
    fc.assert(
      fc.property(arb, fc.boolean(), (obj, lz4) => {
        const payload = encodeObject(obj);
        assert.equal(payload.length % 8, 0, 'handles are padded to 8 bytes');
        assert.deepEqual(decodeObject(payload), obj);
        const sealed = sealBlobSync(payload, lz4 ? Compression.LZ4 : Compression.NONE);
        assert.deepEqual(Buffer.from(openBlob(sealed).payload), Buffer.from(payload));
      }),
      { numRuns: 150, seed: 0x5eed },
    );
  });
}

// Every handle of an inode of an inode btype is required by its kind (§7), so dropping any one is refused.
for (const label of ['file/symlink inode', 'special inode', 'directory inode', 'root inode']) {
  test(`${label} without any one of its handles gives CLFS_BAD_OBJECT`, () => {
    fc.assert(
      fc.property(objects[label], fc.nat(), (obj, pick) => {
        const hs = objectHandles(obj);
        const drop = pick % hs.length;
        assert.throws(() => decodeObject(encodeHandles(hs.filter((_, i) => i !== drop))), { code: 'CLFS_BAD_OBJECT' }, `without handle ${hs[drop].type}`);
      }),
      { numRuns: 100, seed: 0x5eed },
    );
  });
}

test('round trip: VATTR and DIRENTS codecs', () => {
  fc.assert(fc.property(vattr, (v) => assert.deepEqual(decodeVattr(encodeVattr(v)), v)), { numRuns: 300, seed: 1 });
  fc.assert(fc.property(fc.array(dirent, { maxLength: 50 }), (es) => assert.deepEqual(decodeDirents(encodeDirents(es)), es)), { numRuns: 300, seed: 2 });
});

test('round trip: V2 names', () => {
  fc.assert(
    fc.property(id, fc.integer({ min: 0, max: 9999 }), id, fc.integer({ min: 0, max: 99999999999 }), (i, btype, owner, version) => {
      const p = parseBlobName(v2Name({ id: i, btype, owner, version }));
      assert.ok(p.kind === 'v2' && p.hashOk);
      if (p.kind !== 'v2') return;
      assert.deepEqual(p.id, i);
      assert.equal(p.version, version);
    }),
    { numRuns: 300, seed: 3 },
  );
});

test('encoders reject out-of-range values with CLFS_BAD_VALUE instead of wrapping', () => {
  const ok = { kind: 'file-segment' as const, data: new Uint8Array(1), databack: { ctime: 1, offset: 0n, owner: new Uint8Array(16) } };
  encodeObject(ok);
  for (const bad of [
    { ...ok, databack: { ...ok.databack, ctime: -1 } },
    { ...ok, databack: { ...ok.databack, ctime: 2 ** 32 } },
    { ...ok, databack: { ...ok.databack, ctime: 1.5 } },
    { ...ok, databack: { ...ok.databack, offset: -1n } },
    { ...ok, databack: { ...ok.databack, offset: 1n << 64n } },
    { ...ok, databack: { ...ok.databack, owner: new Uint8Array(70000) } },
  ]) {
    assert.throws(() => encodeObject(bad), { code: 'CLFS_BAD_VALUE' });
  }
});
