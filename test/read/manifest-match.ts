/** Checks a tree snapshot (helpers/tree.ts) against a fixture's manifest.json (test helper for export). */
import assert from 'node:assert/strict';
import type { TreeNode } from '../helpers/tree.js';
import type { ManifestEntry } from './read-helpers.js';

/** The manifest's [major, minor] of a Linux dev_t (glibc's encoding). */
function majorMinor(rdev: bigint): [number, number] {
  return [Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n)), Number((rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n))];
}

/** Asserts a snapshot matches the fixture's manifest.json (sockets are never exported). */
export function assertMatchesManifest(nodes: TreeNode[], entries: ManifestEntry[], asRoot: boolean): void {
  const tree = new Map(nodes.map((n) => [n.path, n]));
  const near = (a: bigint, b: bigint): boolean => (a > b ? a - b : b - a) <= 1000n;
  const want = entries.filter((e) => e.type !== 'sock');
  assert.deepEqual([...tree.keys()].sort(), want.map((e) => e.path).sort(), 'same paths');
  for (const e of want) {
    const g = tree.get(e.path)!;
    assert.equal(g.type, e.type, e.path);
    if (e.type !== 'symlink') assert.equal(g.perm.toString(8).padStart(4, '0'), e.mode, `${e.path}: mode`);
    if (asRoot) assert.deepEqual([g.uid, g.gid], [e.uid, e.gid], `${e.path}: owner`);
    assert.equal(g.size === undefined ? null : Number(g.size), e.size, e.path);
    assert.equal(g.sha256 ?? null, e.sha256, e.path);
    assert.equal(g.target === undefined ? null : Buffer.from(g.target, 'hex').toString('utf8'), e.target, e.path);
    assert.deepEqual(g.rdev === undefined ? null : majorMinor(g.rdev), e.rdev, e.path);
    assert.ok(near(g.mtimeNs, BigInt(e.mtime) * 1_000_000_000n + BigInt(e.mtime_ns)), `${e.path}: mtime ${g.mtimeNs}`);
    if (e.type !== 'dir') assert.equal(g.nlink, e.nlink, `${e.path}: nlink`);
    if (e.hardlink_group) assert.equal(g.inode, tree.get(e.hardlink_group)!.inode, `${e.path}: same inode as ${e.hardlink_group}`);
  }
}
