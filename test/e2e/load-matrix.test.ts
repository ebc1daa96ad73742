/**
 * End to end: every make-tree case loaded by the built CLI into a local directory and into
 * Azurite, covering LZ4/DISABLED and with/without --preserve-hardlinks on each backend. Each
 * container must pass `verify`, `export` must give back the source tree, and the blob set must
 * have the reference fixture's shape (object kinds and counts, versions 9/11, bucket keys).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeObject, openBlob, rootName } from '../../src/format/index.js';
import { openStore } from '../../src/store/open-store.js';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { referenceDir } from '../helpers/paths.js';
import { compareTrees, makeTree, snapshotTree } from '../helpers/tree.js';
import { containerShape, storeNames, storeShape, type ContainerShape } from '../helpers/load-container.js';
import { runCli, summaryField } from '../helpers/load-run.js';

/** `buffered`: without native/copy-range, so segments go through memory as for every other store. */
type Row = { backend: 'local' | 'azurite'; kase: string; lz4: boolean; preserve: boolean; buffered?: boolean };
const rows: Row[] = [
  { backend: 'local', kase: 'basic', lz4: true, preserve: false },
  { backend: 'local', kase: 'basic', lz4: false, preserve: false },
  { backend: 'local', kase: 'hardlinks', lz4: true, preserve: true },
  { backend: 'local', kase: 'hardlinks', lz4: false, preserve: false },
  { backend: 'local', kase: 'special', lz4: true, preserve: false },
  { backend: 'local', kase: 'bigfile', lz4: true, preserve: false },
  { backend: 'local', kase: 'bigfile', lz4: false, preserve: false },
  { backend: 'local', kase: 'bigfile', lz4: false, preserve: false, buffered: true },
  { backend: 'local', kase: 'bigdir', lz4: true, preserve: false },
  { backend: 'azurite', kase: 'basic', lz4: false, preserve: true },
  { backend: 'azurite', kase: 'hardlinks', lz4: true, preserve: true },
  { backend: 'azurite', kase: 'hardlinks', lz4: true, preserve: false },
  { backend: 'azurite', kase: 'special', lz4: false, preserve: false },
  { backend: 'azurite', kase: 'bigfile', lz4: true, preserve: false },
  { backend: 'azurite', kase: 'bigdir', lz4: false, preserve: false },
];

/** The reference variant with the same case, compression and hard-link mode, if one exists. */
function referenceVariant(r: Row): string | undefined {
  const name = r.kase === 'hardlinks' ? `hardlinks-${r.preserve ? 'preserve' : 'nopreserve'}` : r.kase === 'basic' && !r.lz4 ? 'basic-nocompress' : r.kase;
  if (r.kase === 'basic' && r.preserve) return undefined;
  return existsSync(path.join(referenceDir, name)) ? name : undefined;
}

function comparable(s: ContainerShape) {
  return { byBtype: s.byBtype, byVersion: s.byVersion, v1: s.v1, tmp: s.tmp, inProgress: s.inProgress, bucketKeys: s.bucketKeys };
}

describe('load end to end', { concurrency: 4 }, () => {
  let tmp: string;
  let az: Azurite;
  const sources = new Map<string, string>();

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-load-e2e-'));
    for (const kase of new Set(rows.map((r) => r.kase))) {
      // The root's NAME is the source's last component: name the dir after the case, as the reference runs did.
      const dir = path.join(tmp, 'src', kase);
      makeTree(kase, dir);
      sources.set(kase, dir);
    }
    az = await startAzurite();
  });
  after(async () => {
    await az?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const r of rows) {
    const label = `${r.backend} ${r.kase} ${r.lz4 ? 'LZ4' : 'DISABLED'}${r.preserve ? ' preserve-hardlinks' : ''}${r.buffered ? ' buffered' : ''}`;
    test(label, async () => {
      const id = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      const dest = r.backend === 'local' ? path.join(tmp, 'dest', id) : await az.createContainer(id.slice(0, 60));
      const state = path.join(tmp, 'state', id);
      const src = sources.get(r.kase)!;
      const load = await runCli(['load', src, dest, '--state-path', state, '--compression-type', r.lz4 ? 'LZ4' : 'DISABLED', `--preserve-hardlinks=${r.preserve}`], { env: r.buffered ? { CLFSLOAD_NO_NATIVE_COPY: '1' } : {} });
      assert.equal(load.code, 0, load.stdout + load.stderr);
      assert.equal(summaryField(load.stdout, 'Final Job Status'), 'Completed');
      // One transfer per object: with --preserve-hardlinks, the names of one inode are one object.
      const nodes = snapshotTree(src);
      const expectedTotal = r.preserve ? new Set(nodes.map((n) => (n.type === 'dir' ? n.path : n.inode))).size : nodes.length;
      assert.equal(Number(summaryField(load.stdout, 'Total Number Of Transfers')), expectedTotal);

      const verify = await runCli(['verify', dest]);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);

      const out = path.join(tmp, 'export', id);
      const exp = await runCli(['export', dest, out]);
      assert.equal(exp.code, 0, exp.stdout + exp.stderr);
      const diffs = compareTrees(snapshotTree(src), snapshotTree(out), { hardlinks: r.preserve ? 'preserve' : 'fold', mayLack: ['sock'] });
      assert.deepEqual(diffs, []);

      const store = openStore(dest);
      const shape = await storeShape(store);
      const names = await storeNames(store);
      for (const log of shape.logBlobs) assert.ok(names.includes(log), `bucket lists ${log}, which exists`);
      assert.ok(shape.logBlobs.includes('output.txt'));
      const root = decodeObject(openBlob(await store.get(rootName(9))).payload);
      assert.equal(root.kind === 'inode' && Buffer.from(root.name).toString(), r.kase, 'root NAME = last source component');
      const ref = referenceVariant(r);
      if (ref) assert.deepEqual(comparable(shape), comparable(containerShape(path.join(referenceDir, ref, 'container'))));
    });
  }
});
