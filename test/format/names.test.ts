import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUCKET_ID, BUCKET_NAME, Btype, INPROGRESS_ID, ORPHAN_PARENT_ID, ROOT_ID, ROOT_PREFIX, TMP_ROOT_NAME,
  idPrefix, parseBlobName, rootName, v1Name, v2Name,
} from '../../src/format/index.js';
import { P, F, SEG, SEG2 } from './vectors.js';

const ROOT9 = '0000006457871C6B_00000000000000000000000000000064.0002.0000006457871C6B.00000000009.FFFFFFFF.0002';

test('A.3 names', () => {
  assert.equal(BUCKET_NAME, '00000063_00000000000000000000000000000063.00000000009.FFFFFFFF.0001');
  assert.equal(v1Name(BUCKET_ID, 9), BUCKET_NAME);
  assert.equal(rootName(), ROOT9);
  assert.equal(TMP_ROOT_NAME, 'tmp' + ROOT9);
  assert.equal(rootName(11), '0000006457871C6B_00000000000000000000000000000064.0002.0000006457871C6B.00000000011.FFFFFFFF.0002');
  assert.equal(v2Name({ id: ROOT_ID, btype: Btype.REG, owner: F, version: 9 }), ROOT9, 'root rule');
  assert.equal(v2Name({ id: P, btype: Btype.DIR, owner: ROOT_ID, version: 9 }),
    'F9B0DC2E090488AD_11CF8A4600010100E9030000000000008877665544332211.0002.0000006457871C6B.00000000009.FFFFFFFF.0002');
  assert.equal(v2Name({ id: F, btype: Btype.REG, owner: P, version: 9 }),
    'C03B0E4DB547D190_11CF8A4601010200EA03000000000000EFCDAB8967452301.0001.F9B0DC2E090488AD.00000000009.FFFFFFFF.0002');
  assert.equal(v2Name({ id: F, btype: Btype.REG, owner: INPROGRESS_ID, version: 9 }),
    'C03B0E4DB547D190_11CF8A4601010200EA03000000000000EFCDAB8967452301.0001.00000062BAE79F98.00000000009.FFFFFFFF.0002');
  assert.equal(v2Name({ id: F, btype: Btype.REG, owner: P, version: 11 }),
    'C03B0E4DB547D190_11CF8A4601010200EA03000000000000EFCDAB8967452301.0001.F9B0DC2E090488AD.00000000011.FFFFFFFF.0002');
  assert.equal(v2Name({ id: SEG, btype: Btype.SEGMENT, owner: F, version: 9 }),
    'DDBA0060D7772F16_00112233445566778899AABBCCDDEEFF.0008.C03B0E4DB547D190.00000000009.FFFFFFFF.0002');
  assert.equal(v2Name({ id: SEG2, btype: Btype.INDIRECT, owner: F, version: 9 }),
    '71B1E760CA349A3E_F0E1D2C3B4A5469788796A5B4C3D2E1F.0009.C03B0E4DB547D190.00000000009.FFFFFFFF.0002');
  assert.equal(v1Name(ORPHAN_PARENT_ID, 9), '00000066_00000000000000000000000000000066.00000000009.FFFFFFFF.0001');
  assert.equal(ROOT_PREFIX, '0000006457871C6B_00000000000000000000000000000064.');
  assert.equal(idPrefix(F), 'C03B0E4DB547D190_11CF8A4601010200EA03000000000000EFCDAB8967452301.');
});

test('parseBlobName: v2, tmp, v1, other', () => {
  const f = parseBlobName('C03B0E4DB547D190_11CF8A4601010200EA03000000000000EFCDAB8967452301.0001.F9B0DC2E090488AD.00000000011.FFFFFFFF.0002');
  assert.equal(f.kind, 'v2');
  if (f.kind !== 'v2') return;
  assert.deepEqual(f.id, F);
  assert.equal(f.btype, 1);
  assert.equal(f.ownerHash, 'F9B0DC2E090488AD');
  assert.equal(f.version, 11);
  assert.equal(f.tmp, false);
  assert.equal(f.hashOk, true);
  const t = parseBlobName(TMP_ROOT_NAME);
  assert.ok(t.kind === 'v2' && t.tmp && t.hashOk && t.btype === 2 && t.version === 9);
  const b = parseBlobName(BUCKET_NAME);
  assert.ok(b.kind === 'v1' && b.hashOk && b.version === 9 && b.idHex === '00000000000000000000000000000063');
  for (const other of ['output.txt', 'problems.txt', 'output.process-transfer-7.txt', '', 'a.b.c.d.e.f', 'x.0002']) {
    assert.deepEqual(parseBlobName(other), { kind: 'other' }, other);
  }
  // A wrong hash prefix parses but is flagged.
  const bad = parseBlobName('0000000000000000_11CF8A4601010200EA03000000000000EFCDAB8967452301.0001.F9B0DC2E090488AD.00000000011.FFFFFFFF.0002');
  assert.ok(bad.kind === 'v2' && !bad.hashOk);
});

test('parseBlobName rejects V1/V2-shaped names with bad fields', () => {
  const good = ROOT9.split('.');
  const variants = [
    ['X000006457871C6B_00000000000000000000000000000064', ...good.slice(1)],
    ['0000006457871C6B_0000000000000000000000000000006', ...good.slice(1)],
    ['0000006457871C6B-00000000000000000000000000000064', ...good.slice(1)],
    [good[0], '02', ...good.slice(2)],
    [good[0], good[1], '0000006457871c6b', ...good.slice(3)],
    [good[0], good[1], good[2], '9', ...good.slice(4)],
    [good[0], good[1], good[2], good[3], 'FFFFFFFE', '0002'],
  ];
  for (const v of variants) assert.throws(() => parseBlobName(v.join('.')), { code: 'CLFS_BAD_NAME' }, v.join('.'));
  assert.throws(() => parseBlobName('00000063_00000000000000000000000000000063.9.FFFFFFFF.0001'), { code: 'CLFS_BAD_NAME' });
  assert.throws(() => parseBlobName('0000063_00000000000000000000000000000063.00000000009.FFFFFFFF.0001'), { code: 'CLFS_BAD_NAME' });
});

test('names round-trip through the parser', () => {
  const n = v2Name({ id: SEG, btype: Btype.SEGMENT, owner: F, version: 123 });
  const p = parseBlobName(n);
  assert.ok(p.kind === 'v2' && p.version === 123 && p.btype === 8 && p.hashOk);
  assert.throws(() => v2Name({ id: SEG, btype: 10000, owner: F, version: 9 }), { code: 'CLFS_BAD_VALUE' });
});
