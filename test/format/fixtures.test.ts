/** Golden check: every blob the Python reference wrote decodes, and every name parses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BUCKET_NAME, Btype, Compression, ROOT_PREFIX, decodeObject, encodeObject, fnv0_32, hash64Hex, hex32, openBlob,
  parseBlobName, sealBlobSync, symlinkLength,
} from '../../src/format/index.js';
import { referenceDir, referenceVariants } from '../helpers/paths.js';

for (const variant of referenceVariants) {
  test(`reference fixture ${variant}: every blob decodes, every name parses`, () => {
    const dir = path.join(referenceDir, variant, 'container');
    const names = readdirSync(dir);
    const kinds = new Map<string, number>();
    const count = (k: string) => kinds.set(k, (kinds.get(k) ?? 0) + 1);
    for (const name of names) {
      const parsed = parseBlobName(name);
      const bytes = readFileSync(path.join(dir, name));
      if (parsed.kind === 'other') {
        assert.ok(name.endsWith('.txt'), `only log blobs are 'other': ${name}`);
        count('log');
        continue;
      }
      assert.ok(parsed.hashOk, `hash prefix matches the id: ${name}`);
      const prefix = name.split('_')[0];
      assert.equal(prefix, parsed.kind === 'v1' ? hex32(fnv0_32(parsed.id)) : hash64Hex(parsed.id));
      const { compression, payload } = openBlob(bytes, name);
      const obj = decodeObject(payload, name);
      count(obj.kind);
      // Decoding then encoding gives the payload back byte for byte.
      assert.ok(Buffer.from(encodeObject(obj)).equals(Buffer.from(payload)), `re-encode ${name}`);
      if (compression === Compression.NONE) {
        // The reference stored it raw; so does our sealer when compression is off.
        assert.ok(Buffer.from(sealBlobSync(payload, Compression.NONE)).equals(bytes));
      }
      if (parsed.kind === 'v1') {
        assert.equal(name, BUCKET_NAME);
        assert.equal(obj.kind, 'bucket');
        continue;
      }
      switch (parsed.btype) {
        case Btype.SEGMENT: assert.ok(obj.kind === 'file-segment' || obj.kind === 'dir-segment', name); break;
        case Btype.INDIRECT: assert.equal(obj.kind, 'indirect', name); break;
        default:
          assert.equal(obj.kind, 'inode', name);
          if (obj.kind === 'inode') {
            assert.equal(obj.vattr.btype, parsed.btype, `VATTR btype = name btype: ${name}`);
            assert.equal(hash64Hex(obj.bmap.direct[0]), hash64Hex(parsed.id), `direct[0] is the own id: ${name}`);
            if (obj.vattr.btype === Btype.LNK) assert.equal(obj.vattr.length, symlinkLength(obj.data!), `symlink length: ${name}`);
            if (obj.vattr.btype === Btype.REG && obj.vattr.length <= 16384n) assert.equal(BigInt(obj.data!.length), obj.vattr.length);
          }
      }
    }
    assert.ok(names.some((n) => n.startsWith(ROOT_PREFIX)), 'real root exists');
    assert.equal(kinds.get('bucket'), 1);
    assert.ok((kinds.get('inode') ?? 0) > 0);
    assert.ok((kinds.get('log') ?? 0) > 0);
  });
}

test('bigdir holds dir segments and bigfile file segments', () => {
  const kinds = (variant: string) => {
    const dir = path.join(referenceDir, variant, 'container');
    return readdirSync(dir).filter((n) => parseBlobName(n).kind !== 'other')
      .map((n) => decodeObject(openBlob(readFileSync(path.join(dir, n)), n).payload, n).kind);
  };
  assert.equal(kinds('bigdir').filter((k) => k === 'dir-segment').length, 2);
  assert.ok(kinds('bigfile').filter((k) => k === 'file-segment').length >= 3);
});
