/** Scans a local tree into comparable records (test helper for export). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { ManifestEntry } from './read-helpers.js';

export interface ScannedEntry {
  type: 'dir' | 'file' | 'symlink' | 'fifo' | 'chr' | 'blk' | 'sock';
  mode: number;
  uid: number;
  gid: number;
  size: number | null;
  sha256: string | null;
  target: string | null;
  rdev: [number, number] | null;
  mtimeNs: bigint;
  ino: bigint;
  nlink: number;
}

function typeOf(st: ReturnType<typeof lstatSync>): ScannedEntry['type'] {
  if (st!.isDirectory()) return 'dir';
  if (st!.isFile()) return 'file';
  if (st!.isSymbolicLink()) return 'symlink';
  if (st!.isFIFO()) return 'fifo';
  if (st!.isCharacterDevice()) return 'chr';
  if (st!.isBlockDevice()) return 'blk';
  return 'sock';
}

/** Every path under `root` ('.' for the root itself), sorted. */
export function scanTree(root: string): Map<string, ScannedEntry> {
  const out = new Map<string, ScannedEntry>();
  const visit = (rel: string): void => {
    const abs = rel === '.' ? root : path.join(root, rel);
    const st = lstatSync(abs, { bigint: true });
    const type = typeOf(st);
    const rdev = type === 'chr' || type === 'blk' ? [Number((st.rdev >> 8n) & 0xfffn), Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn))] as [number, number] : null;
    out.set(rel, {
      type,
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: type === 'file' ? Number(st.size) : null,
      sha256: type === 'file' ? createHash('sha256').update(readFileSync(abs)).digest('hex') : null,
      target: type === 'symlink' ? readlinkSync(abs, 'utf8') : null,
      rdev,
      mtimeNs: st.mtimeNs,
      ino: st.ino,
      nlink: Number(st.nlink),
    });
    if (type === 'dir') for (const n of readdirSync(abs).sort()) visit(rel === '.' ? n : `${rel}/${n}`);
  };
  visit('.');
  return out;
}

/** Asserts an exported tree matches the fixture's manifest.json (sockets are never exported). */
export function assertMatchesManifest(tree: Map<string, ScannedEntry>, entries: ManifestEntry[], asRoot: boolean): void {
  const near = (a: bigint, b: bigint): boolean => (a > b ? a - b : b - a) <= 1000n;
  const want = entries.filter((e) => e.type !== 'sock');
  assert.deepEqual([...tree.keys()].sort(), want.map((e) => e.path).sort(), 'same paths');
  for (const e of want) {
    const g = tree.get(e.path)!;
    assert.equal(g.type, e.type, e.path);
    if (e.type !== 'symlink') assert.equal(g.mode.toString(8).padStart(4, '0'), e.mode, `${e.path}: mode`);
    if (asRoot) assert.deepEqual([g.uid, g.gid], [e.uid, e.gid], `${e.path}: owner`);
    assert.equal(g.size, e.size, e.path);
    assert.equal(g.sha256, e.sha256, e.path);
    assert.equal(g.target, e.target, e.path);
    assert.deepEqual(g.rdev, e.rdev, e.path);
    assert.ok(near(g.mtimeNs, BigInt(e.mtime) * 1_000_000_000n + BigInt(e.mtime_ns)), `${e.path}: mtime ${g.mtimeNs}`);
    if (e.type !== 'dir') assert.equal(g.nlink, e.nlink, `${e.path}: nlink`);
    if (e.hardlink_group) assert.equal(g.ino, tree.get(e.hardlink_group)!.ino, `${e.path}: same inode as ${e.hardlink_group}`);
  }
}
