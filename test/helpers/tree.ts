/**
 * Source trees for tests: build them with the shared make-tree.sh, snapshot them (lstat, sha256,
 * link targets, hard-link groups), and compare two snapshots with the tolerances a CLFS round
 * trip allows (mtimes within 1 µs: §6.3 stores them through a double).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, opendirSync, readFileSync, readlinkSync } from 'node:fs';
import { makeTreeScript } from './paths.js';

/** Runs `make-tree.sh CASE DIR` (as root it also chowns and creates devices). */
export function makeTree(caseName: string, dir: string): void {
  execFileSync('bash', [makeTreeScript, caseName, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export type NodeType = 'dir' | 'file' | 'symlink' | 'fifo' | 'chr' | 'blk' | 'sock';

export interface TreeNode {
  /** path relative to the root, '/'-joined, '.' for the root; raw names as latin1-safe hex when not UTF-8 */
  path: string;
  type: NodeType;
  /** permission bits incl. setuid/setgid/sticky */
  perm: number;
  uid: number;
  gid: number;
  size?: bigint;
  sha256?: string;
  target?: string;
  rdev?: bigint;
  mtimeNs: bigint;
  nlink: number;
  /** dev:ino, for hard-link grouping */
  inode: string;
}

const TYPE_BY_IFMT: Record<number, NodeType> = {
  0o040000: 'dir', 0o100000: 'file', 0o120000: 'symlink', 0o010000: 'fifo', 0o020000: 'chr', 0o060000: 'blk', 0o140000: 'sock',
};

function displayName(name: Buffer): string {
  const s = name.toString('utf8');
  return Buffer.from(s, 'utf8').equals(name) ? s : `<hex:${name.toString('hex')}>`;
}

/** Walks a tree (never following symlinks) into a path-sorted list of nodes. */
export function snapshotTree(root: string): TreeNode[] {
  const out: TreeNode[] = [];
  const visit = (abs: Buffer, rel: string) => {
    const st = lstatSync(abs, { bigint: true });
    const type = TYPE_BY_IFMT[Number(st.mode) & 0o170000];
    const node: TreeNode = {
      path: rel, type, perm: Number(st.mode) & 0o7777, uid: Number(st.uid), gid: Number(st.gid),
      mtimeNs: st.mtimeNs, nlink: Number(st.nlink), inode: `${st.dev}:${st.ino}`,
    };
    if (type === 'file') {
      node.size = st.size;
      node.sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex');
    }
    if (type === 'symlink') node.target = readlinkSync(abs, { encoding: 'buffer' }).toString('hex');
    if (type === 'chr' || type === 'blk') node.rdev = st.rdev;
    out.push(node);
    if (type === 'dir') {
      const d = opendirSync(abs as unknown as string, { encoding: 'buffer' as BufferEncoding });
      try {
        for (let e = d.readSync(); e; e = d.readSync()) {
          const name = e.name as unknown as Buffer;
          visit(Buffer.concat([abs, Buffer.from('/'), name]), rel === '.' ? displayName(name) : `${rel}/${displayName(name)}`);
        }
      } finally {
        d.closeSync();
      }
    }
  };
  visit(Buffer.from(root), '.');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Groups of paths sharing one inode (non-directories with more than one name in the tree). */
export function hardLinkGroups(nodes: TreeNode[]): string[][] {
  const by = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.type === 'dir') continue;
    const g = by.get(n.inode) ?? [];
    g.push(n.path);
    by.set(n.inode, g);
  }
  return [...by.values()].filter((g) => g.length > 1).map((g) => g.sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export interface CompareOptions {
  /** 'preserve': both trees must have the same hard-link groups; 'fold': `actual` must have none */
  hardlinks?: 'preserve' | 'fold';
  /** node types `actual` may lack (e.g. sockets an exporter cannot recreate) */
  mayLack?: NodeType[];
  /** compare uid/gid (default: when running as root) */
  owners?: boolean;
  /** allowed mtime difference (default 1000 ns) */
  mtimeToleranceNs?: bigint;
  /** skip mtimes of directories (default false) */
  ignoreDirMtime?: boolean;
}

/** Differences between two snapshots, as readable lines; empty means equal. */
export function compareTrees(expected: TreeNode[], actual: TreeNode[], opts: CompareOptions = {}): string[] {
  const diffs: string[] = [];
  const owners = opts.owners ?? process.getuid?.() === 0;
  const tol = opts.mtimeToleranceNs ?? 1000n;
  const act = new Map(actual.map((n) => [n.path, n]));
  const exp = new Map(expected.map((n) => [n.path, n]));
  for (const e of expected) {
    const a = act.get(e.path);
    if (!a) {
      if (!opts.mayLack?.includes(e.type)) diffs.push(`${e.path}: missing`);
      continue;
    }
    if (a.type !== e.type) { diffs.push(`${e.path}: type ${a.type} != ${e.type}`); continue; }
    if (a.perm !== e.perm) diffs.push(`${e.path}: mode ${a.perm.toString(8)} != ${e.perm.toString(8)}`);
    if (owners && (a.uid !== e.uid || a.gid !== e.gid)) diffs.push(`${e.path}: owner ${a.uid}:${a.gid} != ${e.uid}:${e.gid}`);
    if (a.size !== e.size) diffs.push(`${e.path}: size ${a.size} != ${e.size}`);
    if (a.sha256 !== e.sha256) diffs.push(`${e.path}: content differs`);
    if (a.target !== e.target) diffs.push(`${e.path}: symlink target differs`);
    if (a.rdev !== e.rdev) diffs.push(`${e.path}: rdev ${a.rdev} != ${e.rdev}`);
    const dt = a.mtimeNs > e.mtimeNs ? a.mtimeNs - e.mtimeNs : e.mtimeNs - a.mtimeNs;
    if (dt > tol && !(opts.ignoreDirMtime && e.type === 'dir')) diffs.push(`${e.path}: mtime ${a.mtimeNs} != ${e.mtimeNs}`);
  }
  for (const a of actual) if (!exp.has(a.path)) diffs.push(`${a.path}: unexpected`);
  const ga = JSON.stringify(hardLinkGroups(actual));
  if (opts.hardlinks === 'fold' && ga !== '[]') diffs.push(`hard links present: ${ga}`);
  if (opts.hardlinks === 'preserve') {
    const ge = JSON.stringify(hardLinkGroups(expected));
    if (ga !== ge) diffs.push(`hard-link groups ${ga} != ${ge}`);
  }
  return diffs;
}
