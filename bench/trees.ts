/**
 * Source trees for the benchmark: a tree is a list of directory groups of same-sized files.
 * Contents are random (incompressible) or text-like (LZ4 shrinks them roughly 2x); both come
 * from node:crypto so no hand-written PRNG is needed, and no two files are identical.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export type Content = 'random' | 'text' | 'empty';

/** `files` files of `size` bytes named `<prefix><n>` in directory `dir` ('' = the tree root). */
export interface FileGroup {
  dir: string;
  prefix: string;
  files: number;
  size: number;
  content: Content;
}

export interface TreeSpec {
  name: string;
  groups: FileGroup[];
}

export interface TreeTotals {
  files: number;
  /** directories including the root */
  dirs: number;
  bytes: number;
}

/** Counts of a spec, computed without touching the disk. */
export function treeTotals(spec: TreeSpec): TreeTotals {
  const dirs = new Set<string>(['']);
  let files = 0;
  let bytes = 0;
  for (const g of spec.groups) {
    addDirAndParents(dirs, g.dir);
    files += g.files;
    bytes += g.files * g.size;
  }
  return { files, dirs: dirs.size, bytes };
}

function addDirAndParents(dirs: Set<string>, dir: string): void {
  for (let d = dir; d !== '' && d !== '.'; d = path.dirname(d)) dirs.add(d);
}

/** `count` directories `<prefix>NNNN`, each holding `perDir` files of `size` bytes, half random and half text. */
export function mixedDirs(name: string, prefix: string, count: number, perDir: number, size: number): TreeSpec {
  const groups: FileGroup[] = [];
  const half = Math.floor(perDir / 2);
  for (let i = 0; i < count; i++) {
    const dir = count === 1 && prefix === '' ? '' : `${prefix}${String(i).padStart(4, '0')}`;
    groups.push({ dir, prefix: 'r', files: half, size, content: 'random' });
    groups.push({ dir, prefix: 't', files: perDir - half, size, content: 'text' });
  }
  return { name, groups };
}

const WORDS = (
  'the of and to in is for on that with as by this from at are be or an it not was which can have has ' +
  'file data block segment inode directory container blob storage cache load write read offset length ' +
  'error status request response server client table index value key name path size time date user group ' +
  'alpha beta gamma delta epsilon lambda sigma omega north south east west river mountain forest ocean ' +
  'report summary total average minimum maximum count number record field column row page section chapter'
).split(' ');

/** A buffer of text-like bytes: words, digits and newlines drawn from node:crypto. */
export function makeTextPool(bytes: number): Buffer {
  const parts: string[] = [];
  let length = 0;
  const picks = randomBytes(Math.ceil(bytes / 3));
  let i = 0;
  while (length < bytes) {
    const p = picks[i++ % picks.length];
    const word = p % 11 === 0 ? String(p * 37 + i) : WORDS[p % WORDS.length];
    const sep = p % 13 === 0 ? '\n' : ' ';
    parts.push(word, sep);
    length += word.length + 1;
  }
  return Buffer.from(parts.join(''), 'latin1').subarray(0, bytes);
}

/** Writes `size` bytes of `content` to an open file, in chunks of at most 8 MiB. */
function writeContent(fd: number, size: number, content: Content, textPool: Buffer): void {
  const CHUNK = 8 * 1024 * 1024;
  for (let done = 0; done < size; ) {
    const n = Math.min(CHUNK, size - done);
    if (content === 'random') {
      writeSync(fd, randomBytes(n));
    } else {
      // A random window of the pool: text-like, yet every file (and chunk) differs.
      const start = randomInt(0, textPool.length - n + 1);
      writeSync(fd, textPool, start, n);
    }
    done += n;
  }
}

/** Creates the tree under `root` (which must not exist yet). */
export function buildTree(spec: TreeSpec, root: string): TreeTotals {
  const totals = treeTotals(spec);
  mkdirSync(root, { recursive: true });
  const maxText = Math.max(0, ...spec.groups.filter((g) => g.content === 'text').map((g) => Math.min(g.size, 8 << 20)));
  // The pool is 4x the largest text chunk (at least 4 MiB) so windows rarely overlap much.
  const textPool = maxText > 0 ? makeTextPool(Math.max(4 << 20, maxText * 4)) : Buffer.alloc(0);
  for (const g of spec.groups) {
    const dir = path.join(root, g.dir);
    mkdirSync(dir, { recursive: true });
    const width = String(g.files - 1).length;
    for (let i = 0; i < g.files; i++) {
      const fd = openSync(path.join(dir, `${g.prefix}${String(i).padStart(width, '0')}`), 'w');
      try {
        if (g.content !== 'empty') writeContent(fd, g.size, g.content, textPool);
      } finally {
        closeSync(fd);
      }
    }
  }
  return totals;
}
