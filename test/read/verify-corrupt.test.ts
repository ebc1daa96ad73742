/**
 * verify on damaged copies of the fixtures: each damage gives its own finding code and exit 1.
 * Fixtures are copied to a temp dir first; ../shared is never modified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUCKET_NAME, Btype, Compression, TMP_ROOT_NAME, decodeObject, encodeObject, openBlob, parseBlobName, rootName, sealBlobSync, v2Name } from '../../src/format/index.js';
import type { InodeObject } from '../../src/format/index.js';
import { segmentName } from '../../src/read/block-refs.js';
import { blobOf, renameEntry, rewriteInode } from './corrupt-helpers.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { Container } from '../../src/read/container.js';
import { resolvePath } from '../../src/read/resolve-path.js';
import { verifyContainer, type VerifyReport } from '../../src/read/verify.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { copyFixtureToStore } from '../helpers/stores.js';
import { cli, copyFixture } from './read-helpers.js';

async function verifyJson(dir: string): Promise<{ code: number; report: VerifyReport }> {
  const r = await cli(['verify', dir, '--output-type', 'json']);
  return { code: r.code, report: JSON.parse(r.stdout.toString('utf8')) as VerifyReport };
}

function assertFinding(report: VerifyReport, code: string, blob?: string): void {
  const hit = report.findings.find((f) => f.code === code && f.severity === 'error' && (blob === undefined || f.blob === blob));
  assert.ok(hit, `expected an error ${code}${blob ? ` on ${blob}` : ''}; got ${JSON.stringify(report.codes)}`);
}

test('a flipped byte in an LZ4 block gives VERIFY_BAD_LZ4', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    const blob = await blobOf(dir, 'twenty-k.bin');
    const file = path.join(dir, blob);
    const bytes = readFileSync(file);
    assert.equal(bytes[2], Compression.LZ4, 'the test needs a compressed blob');
    bytes[14] ^= 0xff; // high byte of the first block's size word
    writeFileSync(file, bytes);
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_BAD_LZ4', blob);
    assert.equal(report.findings.find((f) => f.code === 'VERIFY_BAD_LZ4')?.path, 'twenty-k.bin');
  } finally {
    cleanup();
  }
});

test('a truncated blob gives VERIFY_TRUNCATED', async () => {
  const { dir, cleanup } = copyFixture('basic-nocompress');
  try {
    const blob = await blobOf(dir, 'd1/mid.txt');
    const file = path.join(dir, blob);
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_TRUNCATED', blob);
  } finally {
    cleanup();
  }
});

test('a raw file inode cut just before its DATA handle gives VERIFY_BAD_BLOB naming the missing handle; cat fails with CLFS_BAD_OBJECT', async () => {
  const { dir, cleanup } = copyFixture('basic-nocompress');
  try {
    const blob = await blobOf(dir, 'small.txt');
    const file = path.join(dir, blob);
    const bytes = new Uint8Array(readFileSync(file));
    assert.equal(bytes[2], Compression.NONE, 'the test needs a raw blob');
    // the handles are VATTR, BMAP, BACK, NAME, DATA (§7): keep the envelope and all but the last
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 4;
    for (let i = 0; i < 4; i++) at += dv.getUint32(at + 4, true);
    assert.equal(dv.getUint32(at + 12, true), 2, 'the fifth handle is DATA');
    truncateSync(file, at);
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_BAD_BLOB', blob);
    assert.match(report.findings.find((f) => f.code === 'VERIFY_BAD_BLOB')!.message, /lacks its DATA handle.*\[CLFS_BAD_OBJECT\]/);
    const cat = await cli(['cat', dir, 'small.txt']);
    assert.notEqual(cat.code, 0);
    assert.equal(cat.stdout.length, 0);
    assert.match(cat.stderr, /\[CLFS_BAD_OBJECT\]/);
  } finally {
    cleanup();
  }
});

test('a deleted directory segment gives VERIFY_MISSING_BLOB (bigdir)', async () => {
  // 2015 blobs: a MemoryStore copy is much faster than copying files
  const store = new MemoryStore();
  await copyFixtureToStore('bigdir', store);
  const c = await Container.open(store, { index: 'lazy' });
  const many = await resolvePath(c, 'many');
  assert.equal(many.inode.bmap.direct.length, 3, 'bigdir/many should have two directory segments');
  const name = segmentName(many.inode.bmap.direct[2], many.id);
  assert.equal(await store.delete(name), true);
  const report = await verifyContainer(store);
  assert.equal(report.ok, false);
  assertFinding(report, 'VERIFY_MISSING_BLOB', name);
  assert.equal(report.findings.find((f) => f.code === 'VERIFY_MISSING_BLOB')?.path, 'many');
  // the entries of the lost piece are no longer reachable: their inodes show up unreferenced
  assert.ok((report.codes.VERIFY_UNREFERENCED_INODE ?? 0) > 100);
});

test('a deleted inode gives VERIFY_DANGLING at its path', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    rmSync(path.join(dir, await blobOf(dir, 'd1/d2/d3/deep.txt')));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    const f = report.findings.find((x) => x.code === 'VERIFY_DANGLING');
    assert.equal(f?.path, 'd1/d2/d3/deep.txt');
    assert.equal(f?.severity, 'error');
  } finally {
    cleanup();
  }
});

test('a renamed inode (owner hash changed) gives VERIFY_NAME_MISMATCH', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    const blob = await blobOf(dir, 'small.txt');
    const toks = blob.split('.');
    toks[2] = '0123456789ABCDEF';
    const renamed = toks.join('.');
    renameSync(path.join(dir, blob), path.join(dir, renamed));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_NAME_MISMATCH', renamed);
  } finally {
    cleanup();
  }
});

test('a stray extra blob gives VERIFY_STRAY_BLOB', async () => {
  const { dir, cleanup } = copyFixture('special');
  try {
    writeFileSync(path.join(dir, 'stray.bin'), 'not a clfs object');
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_STRAY_BLOB', 'stray.bin');
    assert.equal(report.errors, 1);
  } finally {
    cleanup();
  }
});

test('an unreferenced segment blob is only a warning (VERIFY_UNREFERENCED)', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    const c = await Container.open(new LocalDirStore(dir), { index: 'lazy' });
    const node = await resolvePath(c, 'twenty-k.bin');
    const seg = segmentName(node.inode.bmap.direct[1], node.id);
    // a copy of the segment under a fresh UUID, as a restart would leave behind
    const fresh = seg.replace(/_([0-9A-F]{32})\./, (_m, id: string) => `_${id.slice(0, 30)}${id.slice(30) === 'AA' ? 'BB' : 'AA'}.`);
    const parsed = parseBlobName(fresh);
    assert.ok(parsed.kind === 'v2' && parsed.btype === Btype.SEGMENT);
    // keep the hash prefix consistent with the new id
    const good = v2Name({ id: parsed.id, btype: Btype.SEGMENT, owner: node.id, version: 9 });
    writeFileSync(path.join(dir, good), readFileSync(path.join(dir, seg)));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 0, JSON.stringify(report.codes));
    assert.equal(report.findings.find((f) => f.code === 'VERIFY_UNREFERENCED')?.blob, good);
  } finally {
    cleanup();
  }
});

test('a directory entry named ../escape gives VERIFY_BAD_ENTRY_NAME', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    await renameEntry(dir, 'd1', 'mid.txt', '../escape');
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_BAD_ENTRY_NAME');
    assert.equal(report.findings.find((f) => f.code === 'VERIFY_BAD_ENTRY_NAME')?.path, 'd1');
  } finally {
    cleanup();
  }
});

test('a root without its EXTATTRS gives VERIFY_ROOT_EXTATTRS', async () => {
  const { dir, cleanup } = copyFixture('special');
  try {
    await rewriteInode(dir, '', (inode) => ({ ...inode, extattrs: [['containeridEpoch', '2']] }));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_ROOT_EXTATTRS');
    assert.equal(report.errors, 1);
  } finally {
    cleanup();
  }
});

/** Table of object edits → the one error code each must raise (other codes may follow from it). */
const edits: { name: string; variant: string; path: string; code: string; edit: (i: InodeObject) => InodeObject }[] = [
  { name: 'a file length that the segments do not add up to', variant: 'basic', path: 'twenty-k.bin', code: 'VERIFY_SIZE_MISMATCH', edit: (i) => ({ ...i, vattr: { ...i.vattr, length: 20481n, used: 20481n } }) },
  { name: 'a directory length off the §9.3 rule', variant: 'basic', path: 'd1', code: 'VERIFY_DIR_LENGTH', edit: (i) => ({ ...i, vattr: { ...i.vattr, length: 4096n, used: 4096n } }) },
  { name: 'a directory nlink off by one', variant: 'basic', path: 'd1/d2', code: 'VERIFY_NLINK', edit: (i) => ({ ...i, vattr: { ...i.vattr, nlink: 4 } }) },
  { name: 'a hard-linked file missing one BACK entry', variant: 'hardlinks-preserve', path: 'a/three.txt', code: 'VERIFY_BACKPOINTER', edit: (i) => ({ ...i, back: i.back!.slice(0, 2), vattr: { ...i.vattr, nlink: 2 } }) },
  { name: 'a file whose mode says directory', variant: 'basic', path: 'small.txt', code: 'VERIFY_TYPE_MISMATCH', edit: (i) => ({ ...i, vattr: { ...i.vattr, mode: 0o040644 } }) },
  { name: 'a BMAP with the wrong segment size', variant: 'basic', path: 'small.txt', code: 'VERIFY_BAD_BMAP', edit: (i) => ({ ...i, bmap: { ...i.bmap, otherSegmentBytes: 262144 } }) },
  { name: '".." pointing elsewhere', variant: 'basic', path: 'd1/d2', code: 'VERIFY_DOT_ENTRIES', edit: (i) => ({ ...i, entries: [i.entries![0], { name: i.entries![1].name, fh: i.entries![0].fh }, ...i.entries!.slice(2)] }) },
];

for (const e of edits) {
  test(`${e.name} gives ${e.code}`, async () => {
    const { dir, cleanup } = copyFixture(e.variant);
    try {
      await rewriteInode(dir, e.path, e.edit);
      const { code, report } = await verifyJson(dir);
      assert.equal(code, 1);
      assertFinding(report, e.code);
    } finally {
      cleanup();
    }
  });
}

test('a reconciled directory carrying st_size is only a VERIFY_DIR_LENGTH warning', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    const blob = await blobOf(dir, 'd1');
    await rewriteInode(dir, 'd1', (i) => ({ ...i, vattr: { ...i.vattr, length: 4096n, used: 4096n } }));
    const reconciled = blob.replace('.00000000009.', '.00000000011.');
    renameSync(path.join(dir, blob), path.join(dir, reconciled));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 0, JSON.stringify(report.findings));
    assert.deepEqual(report.findings.map((f) => [f.severity, f.code, f.blob]), [['warning', 'VERIFY_DIR_LENGTH', reconciled]]);
  } finally {
    cleanup();
  }
});

test('the root only under its tmp name gives VERIFY_NOT_FINALIZED; ls still reads it', async () => {
  const { dir, cleanup } = copyFixture('special');
  try {
    renameSync(path.join(dir, rootName()), path.join(dir, TMP_ROOT_NAME));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_NOT_FINALIZED', TMP_ROOT_NAME);
    assert.equal(report.errors, 1);
    const ls = await cli(['ls', dir]);
    assert.equal(ls.code, 0);
    assert.match(ls.stderr, /not finalized/);
    assert.deepEqual(ls.stdout.toString().trim().split('\n').sort(), ['dev', 'regular.txt']);
  } finally {
    cleanup();
  }
});

test('a live inode still owned by 0x62 gives VERIFY_IN_PROGRESS', async () => {
  const { dir, cleanup } = copyFixture('hardlinks-preserve');
  try {
    const blob = await blobOf(dir, 'a/two.txt');
    const toks = blob.split('.');
    toks[2] = '00000062BAE79F98';
    toks[3] = '00000000009';
    renameSync(path.join(dir, blob), path.join(dir, toks.join('.')));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assertFinding(report, 'VERIFY_IN_PROGRESS', toks.join('.'));
  } finally {
    cleanup();
  }
});

test('with problems.txt listed, a dangling entry is a warning and verify passes', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    rmSync(path.join(dir, await blobOf(dir, 'd1/d2/d3/deep.txt')));
    writeFileSync(path.join(dir, 'problems.txt'), 'd1/d2/d3/deep.txt\n');
    const bucket = path.join(dir, BUCKET_NAME);
    const obj = decodeObject(openBlob(readFileSync(bucket)).payload);
    assert.equal(obj.kind, 'bucket');
    writeFileSync(bucket, sealBlobSync(encodeObject({ kind: 'bucket', attrs: [...obj.attrs, ['logfile999', 'problems.txt']] }), Compression.LZ4));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 0, JSON.stringify(report.findings));
    assert.deepEqual(report.findings.map((f) => [f.severity, f.code]).sort(), [['warning', 'VERIFY_DANGLING'], ['warning', 'VERIFY_PROBLEMS_FILE']]);
  } finally {
    cleanup();
  }
});
