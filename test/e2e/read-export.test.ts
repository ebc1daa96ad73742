/**
 * export of every reference fixture reproduces the source tree make-tree.sh builds and the
 * manifest: types, modes, owners, sizes, contents, link targets, devices, mtimes (≤ 1 µs) and
 * hard-link groups. Also: verify and export refuse a hostile entry name without writing outside dest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { makeTreeScript, referenceVariants } from '../helpers/paths.js';
import { cli, copyFixture, fixtureContainer, readManifest, tempDir } from '../read/read-helpers.js';
import { assertMatchesManifest } from '../read/manifest-match.js';
import { compareTrees, snapshotTree } from '../helpers/tree.js';
import type { ExportResult } from '../../src/read/export.js';
import { Container } from '../../src/read/container.js';
import { resolvePath } from '../../src/read/resolve-path.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { renameEntry, rewriteInode } from '../read/corrupt-helpers.js';

const MICRO = 1000n;
const asRoot = process.getuid?.() === 0;

function caseOf(variant: string): string {
  return variant.replace(/-(nocompress|preserve|nopreserve)$/, '');
}

for (const variant of referenceVariants) {
  test(`export ${variant} reproduces make-tree.sh's tree and the manifest`, { skip: !asRoot && 'NOT RUN: needs root (make-tree.sh sets owners and makes device nodes)' }, async () => {
    const t = tempDir(`clfs-export-${variant}-`);
    try {
      const src = path.join(t.dir, 'src');
      const dest = path.join(t.dir, 'out');
      execFileSync('bash', [makeTreeScript, caseOf(variant), src], { stdio: 'pipe' });
      const r = await cli(['export', fixtureContainer(variant), dest, '--output-type', 'json']);
      const result = JSON.parse(r.stdout.toString('utf8')) as ExportResult;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(result.errors, 0, JSON.stringify(result.issues));
      const got = snapshotTree(dest);
      const m = readManifest(variant);
      const sockets = m.entries.filter((e) => e.type === 'sock').map((e) => e.path);
      assert.deepEqual(result.issues.filter((i) => i.code === 'EXPORT_SKIPPED_SOCKET').map((i) => i.path), sockets);
      // hard links: the container keeps them only with preserve_hardlinks 1
      const hardlinks = m.preserve_hardlinks ? 'preserve' : 'fold';
      assert.deepEqual(compareTrees(snapshotTree(src), got, { hardlinks, mayLack: ['sock'], owners: asRoot }), []);
      assertMatchesManifest(got, m.entries, asRoot);
    } finally {
      t.cleanup();
    }
  });
}

test('export refuses a non-empty destination', async () => {
  const t = tempDir();
  try {
    mkdirSync(path.join(t.dir, 'x'));
    const r = await cli(['export', fixtureContainer('special'), t.dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not empty.*CLFS_EXPORT_DEST/);
  } finally {
    t.cleanup();
  }
});

test('export skips an entry named ../escape and writes nothing outside dest', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    await renameEntry(dir, 'd1', 'mid.txt', '../escape');
    const parent = path.join(path.dirname(dir), 'exp');
    const dest = path.join(parent, 'dest');
    const r = await cli(['export', dir, dest, '--output-type', 'json']);
    const result = JSON.parse(r.stdout.toString('utf8')) as ExportResult;
    assert.equal(r.code, 1);
    assert.deepEqual(result.issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.path]), [['EXPORT_UNSAFE_NAME', 'd1']]);
    assert.deepEqual(readdirSync(parent), ['dest']);
    assert.equal(existsSync(path.join(dest, 'escape')), false);
    assert.deepEqual(readdirSync(path.join(dest, 'd1')).sort(), ['d2']);
    assert.ok(existsSync(path.join(dest, 'small.txt')), 'the rest of the tree is exported');
  } finally {
    cleanup();
  }
});

test('a symlink to outside dest sharing its name with a directory is never followed', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    const outside = path.join(path.dirname(dir), 'outside');
    mkdirSync(outside);
    // absolute-link -> <outside>, renamed to "d1" beside the real directory d1 (whose files must not land in <outside>)
    await rewriteInode(dir, 'absolute-link', (inode) => ({ ...inode, data: new Uint8Array(Buffer.from(outside)) }));
    await renameEntry(dir, '', 'absolute-link', 'd1');
    const v = await cli(['verify', dir, '--output-type', 'json']);
    assert.equal(v.code, 1);
    assert.ok(JSON.parse(v.stdout.toString('utf8')).codes.VERIFY_DUPLICATE_ENTRY >= 1);
    const dest = path.join(path.dirname(dir), 'dest');
    const r = await cli(['export', dir, dest, '--output-type', 'json']);
    const result = JSON.parse(r.stdout.toString('utf8')) as ExportResult;
    assert.equal(r.code, 1);
    assert.deepEqual(result.issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.path]), [['EXPORT_NAME_EXISTS', 'd1']]);
    assert.deepEqual(readdirSync(outside), []);
  } finally {
    cleanup();
  }
});

/** Exports `basic` and returns, per path, the container's [atime, mtime] and the exported ones (ns). */
async function exportedTimes(): Promise<{ result: ExportResult; times: Map<string, { want: bigint[]; got: bigint[] }> }> {
  const t = tempDir();
  try {
    const dest = path.join(t.dir, 'out');
    const r = await cli(['export', fixtureContainer('basic'), dest, '--output-type', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const c = await Container.open(new LocalDirStore(fixtureContainer('basic')), { index: 'lazy' });
    const times = new Map<string, { want: bigint[]; got: bigint[] }>();
    for (const p of ['small.txt', 'd1/mid.txt', 'link-to-file', 'd1', '']) {
      const { inode } = await resolvePath(c, p);
      const st = lstatSync(path.join(dest, p), { bigint: true });
      const want = [inode.vattr.atime, inode.vattr.mtime].map((x) => BigInt(x.sec) * 1_000_000_000n + BigInt(x.nsec));
      times.set(p, { want, got: [st.atimeNs, st.mtimeNs] });
    }
    return { result: JSON.parse(r.stdout.toString('utf8')) as ExportResult, times };
  } finally {
    t.cleanup();
  }
}

test('export restores atime and mtime to the nanosecond the container holds (file, dir, symlink, root)', async () => {
  const { result, times } = await exportedTimes();
  assert.equal(result.timePrecision, 'ns');
  assert.deepEqual(result.issues.filter((i) => i.code === 'EXPORT_TIMES_MICROSECOND'), []);
  let subMicro = 0;
  for (const [p, { want, got }] of times) {
    assert.deepEqual(got, want, `${p}: [atime, mtime] exactly as the container holds them`);
    subMicro += want.filter((n) => n % MICRO !== 0n).length;
  }
  assert.ok(subMicro > 0, 'the fixture has sub-microsecond times, so exactness is tested');
});

test('without the native helper (CLFSLOAD_NO_NATIVE_TIMES=1) export sets the nearest microsecond and says so', async () => {
  process.env.CLFSLOAD_NO_NATIVE_TIMES = '1';
  let out;
  try {
    out = await exportedTimes();
  } finally {
    delete process.env.CLFSLOAD_NO_NATIVE_TIMES;
  }
  assert.equal(out.result.timePrecision, 'us');
  const notes = out.result.issues.filter((i) => i.code === 'EXPORT_TIMES_MICROSECOND');
  assert.equal(notes.length, 1);
  assert.equal(notes[0].severity, 'warning');
  const nearestMicro = (n: bigint): bigint => ((n + MICRO / 2n) / MICRO) * MICRO; // times here are positive
  for (const [p, { want, got }] of out.times) assert.deepEqual(got, want.map(nearestMicro), `${p}: the nearest microsecond`);
});
