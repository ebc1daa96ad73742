/**
 * `export`: rebuilds a container's tree under a destination directory. It never writes outside
 * it: unsafe entry names are skipped, nothing existing is followed or replaced (export-fs.ts),
 * and a directory reached twice is not entered again. Damaged objects are reported and skipped.
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ROOT_ID, idHex } from '../format/index.js';
import type { InodeObject } from '../format/index.js';
import { ClfsError, UsageError } from '../errors.js';
import type { Container } from './container.js';
import { directoryEntries } from './dir-entries.js';
import { displayName, joinPath, typeOfBtype, unsafeNameReason } from './entry-kind.js';
import { at, createFile, finishHandle, link, makeDir, makeNode, makeSymlink, openDest, reopenDir, SparseWriter, type Attrs } from './export-fs.js';
import { fileChunks } from './file-content.js';
import { timePrecision, timePrecisionReason, type TimePrecision } from './precise-times.js';
import { runWorkStack } from './work-stack.js';

export type ExportIssueCode =
  | 'EXPORT_UNSAFE_NAME' | 'EXPORT_NAME_EXISTS' | 'EXPORT_DIR_LINK' | 'EXPORT_READ_FAILED' | 'EXPORT_WRITE_FAILED'
  | 'EXPORT_SKIPPED_SOCKET' | 'EXPORT_SKIPPED_DEVICE' | 'EXPORT_SKIPPED_TYPE' | 'EXPORT_NO_OWNERSHIP'
  | 'EXPORT_TIMES_MICROSECOND';

export interface ExportIssue {
  severity: 'error' | 'warning';
  code: ExportIssueCode;
  /** container path ('' = root) */
  path: string;
  message: string;
}

/** Live counters (the CLI renders them as progress). */
export interface ExportCounters {
  directories: number;
  files: number;
  symlinks: number;
  hardLinks: number;
  specials: number;
  skipped: number;
  bytes: number;
}

export function newExportCounters(): ExportCounters {
  return { directories: 0, files: 0, symlinks: 0, hardLinks: 0, specials: 0, skipped: 0, bytes: 0 };
}

export interface ExportOptions {
  /** objects exported at once (default 8) */
  workers?: number;
  /** restore uid/gid and create device nodes (default: when running as root) */
  asRoot?: boolean;
  counters?: ExportCounters;
  signal?: AbortSignal;
}

export interface ExportResult extends ExportCounters {
  /** 'ns': times set exactly as the container holds them; 'us': the nearest microsecond (no native helper) */
  timePrecision: TimePrecision;
  issues: ExportIssue[];
  errors: number;
  warnings: number;
}

/** A directory we made (or the destination): open while its subtree is being exported. */
interface DirNode {
  parent?: DirNode;
  /** name in the parent */
  name: Buffer;
  fh?: FileHandle;
  dev: number;
  ino: number;
  /** its listing (1) + children not finished yet; at 0 its attributes are applied and it is closed */
  pending: number;
  /** operations using fh right now (it is not closed under them: its number could be reused) */
  users: number;
  done: boolean;
  /** undefined: leave its attributes alone (a destination that existed before) */
  attrs?: Attrs;
  path: string;
}

interface Item {
  id: Uint8Array;
  /** undefined: the root, exported into the destination itself */
  parent?: DirNode;
  name: Buffer;
  path: string;
}

function attrsOf(inode: InodeObject): Attrs {
  const v = inode.vattr;
  return { mode: v.mode, uid: v.uid, gid: v.gid, atime: v.atime, mtime: v.mtime };
}

export async function exportContainer(c: Container, dest: string, options: ExportOptions = {}): Promise<ExportResult> {
  let opened: { dir: FileHandle; created: boolean };
  try {
    opened = await openDest(dest);
  } catch (err) {
    throw new UsageError(`export destination: ${(err as Error).message}`, { code: 'CLFS_EXPORT_DEST', cause: err });
  }
  const asRoot = options.asRoot ?? process.getuid?.() === 0;
  const counters = options.counters ?? newExportCounters();
  const issues: ExportIssue[] = [];
  const issue = (severity: ExportIssue['severity'], code: ExportIssueCode, path: string, message: string): void => {
    issues.push({ severity, code, path, message });
    if (code.startsWith('EXPORT_SKIPPED') || code === 'EXPORT_UNSAFE_NAME') counters.skipped++;
  };
  const failed = (path: string, err: unknown): void => {
    const read = err instanceof ClfsError;
    issue('error', read ? 'EXPORT_READ_FAILED' : 'EXPORT_WRITE_FAILED', path, (err as Error).message);
  };
  const rootStat = await opened.dir.stat();
  const root: DirNode = { name: Buffer.alloc(0), fh: opened.dir, dev: rootStat.dev, ino: rootStat.ino, pending: 1, users: 0, done: false, path: '' };
  const open = new Set<DirNode>([root]);
  const dirsSeen = new Set<string>();
  /** multi-link objects: where the first name was written (undefined if that failed) */
  const links = new Map<string, Promise<{ dir: DirNode; name: Buffer } | undefined>>();

  const close = async (node: DirNode): Promise<void> => {
    const fh = node.fh;
    node.fh = undefined;
    open.delete(node);
    await fh?.close().catch(() => undefined);
  };

  /** Runs `fn` on the node's open directory, reopening it (checked to be the same one) if it is closed. */
  const withDir = async <T>(node: DirNode, fn: (fh: FileHandle) => Promise<T>): Promise<T> => {
    if (node.fh) {
      node.users++;
      try {
        return await fn(node.fh);
      } finally {
        if (--node.users === 0 && node.done && node !== root) await close(node);
      }
    }
    if (!node.parent) throw new Error('the destination is closed');
    const fh = await withDir(node.parent, (p) => reopenDir(p, node.name, node.dev, node.ino));
    try {
      return await fn(fh);
    } finally {
      await fh.close();
    }
  };

  /** One child of `node` (or its listing) finished: at the last one, its attributes (children before parents) and close. */
  const release = async (node: DirNode): Promise<void> => {
    if (--node.pending > 0) return;
    if (node.attrs && node.fh) {
      node.users++; // a hard link still using fh must not close it under us
      try {
        await finishHandle(node.fh, node.attrs, asRoot);
      } catch (err) {
        failed(node.path, err);
      } finally {
        node.users--;
      }
    }
    node.done = true;
    if (node === root) return;
    if (node.users === 0) await close(node);
    if (node.parent) await release(node.parent);
  };

  async function* children(id: Uint8Array, inode: InodeObject, node: DirNode): AsyncGenerator<Item> {
    try {
      for await (const e of directoryEntries(c, id, inode, node.path)) {
        const shown = displayName(e.name);
        const reason = unsafeNameReason(e.name);
        if (reason) {
          issue('error', 'EXPORT_UNSAFE_NAME', node.path, `entry "${shown}" skipped: ${reason}`);
          continue;
        }
        node.pending++;
        yield { id: e.fh, parent: node, name: Buffer.from(e.name), path: joinPath(node.path, shown) };
      }
    } catch (err) {
      failed(node.path, err);
    } finally {
      await release(node);
    }
  }

  const writeLeaf = async (item: Item, dir: FileHandle, inode: InodeObject): Promise<boolean> => {
    const type = typeOfBtype(inode.vattr.btype);
    const a = attrsOf(inode);
    if (type === 'file') {
      const fh = await createFile(dir, item.name);
      let written = 0; // counted as they land; taken back if the file fails
      try {
        const out = new SparseWriter(fh);
        for await (const chunk of fileChunks(c, item.id, inode, { readAhead: 2, path: item.path })) {
          await out.write(chunk);
          counters.bytes += chunk.length;
          written += chunk.length;
        }
        await out.finish();
        await finishHandle(fh, a, asRoot);
      } catch (err) {
        counters.bytes -= written;
        await fh.close();
        await fsp.unlink(at(dir, item.name)).catch(() => undefined); // our own partial file
        throw err;
      }
      await fh.close();
      counters.files++;
    } else if (type === 'symlink') {
      await makeSymlink(inode.data ?? new Uint8Array(0), dir, item.name, a, asRoot);
      counters.symlinks++;
    } else if (type === 'fifo' || ((type === 'chr' || type === 'blk') && asRoot)) {
      await makeNode(type, dir, item.name, inode.vattr.rdevMajor, inode.vattr.rdevMinor, a, asRoot);
      counters.specials++;
    } else if (type === 'chr' || type === 'blk') {
      issue('warning', 'EXPORT_SKIPPED_DEVICE', item.path, 'device node skipped (creating one needs root)');
      return false;
    } else if (type === 'sock') {
      issue('warning', 'EXPORT_SKIPPED_SOCKET', item.path, 'socket skipped (a socket cannot be recreated from a container)');
      return false;
    } else {
      issue('error', 'EXPORT_SKIPPED_TYPE', item.path, `object of btype ${inode.vattr.btype} skipped`);
      return false;
    }
    return true;
  };

  const handleLeaf = async (item: Item, parent: DirNode, inode: InodeObject): Promise<void> => {
    const multi = inode.vattr.nlink > 1 || (inode.back?.length ?? 0) > 1;
    let settle: ((p: { dir: DirNode; name: Buffer } | undefined) => void) | undefined;
    if (multi) {
      const key = idHex(item.id);
      const prior = links.get(key);
      if (prior) {
        const first = await prior;
        if (!first) return issue('error', 'EXPORT_WRITE_FAILED', item.path, 'hard link skipped: its first name could not be written');
        await withDir(parent, (to) => withDir(first.dir, (from) => link(from, first.name, to, item.name)));
        counters.hardLinks++;
        return;
      }
      links.set(key, new Promise((resolve) => (settle = resolve)));
    }
    let ok = false;
    try {
      ok = await withDir(parent, (dir) => writeLeaf(item, dir, inode));
    } finally {
      settle?.(ok ? { dir: parent, name: item.name } : undefined);
    }
  };

  const handle = async (item: Item, push: (it: AsyncIterable<Item>) => void): Promise<void> => {
    let entered = false;
    try {
      const { inode } = await c.readInode(item.id, item.path);
      if (typeOfBtype(inode.vattr.btype) !== 'dir') {
        if (!item.parent) throw new Error('the container root is not a directory');
        return await handleLeaf(item, item.parent, inode);
      }
      const key = idHex(item.id);
      if (dirsSeen.has(key)) return issue('error', 'EXPORT_DIR_LINK', item.path, 'directory already exported under another name; not entered again');
      dirsSeen.add(key);
      let node = root;
      if (item.parent) {
        const parent = item.parent;
        const fh = await withDir(parent, (p) => makeDir(p, item.name));
        const st = await fh.stat();
        node = { parent, name: item.name, fh, dev: st.dev, ino: st.ino, pending: 1, users: 0, done: false, path: item.path };
        open.add(node);
      }
      // a destination that existed before keeps its own owner, mode and times
      if (item.parent || opened.created) node.attrs = attrsOf(inode);
      counters.directories++;
      entered = true;
      push(children(item.id, inode, node));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') issue('error', 'EXPORT_NAME_EXISTS', item.path, 'the name is already taken in its directory (duplicate entry); skipped');
      else failed(item.path, err);
    } finally {
      if (!entered && item.parent) await release(item.parent);
    }
  };

  async function* start(): AsyncGenerator<Item> {
    yield { id: ROOT_ID, name: Buffer.alloc(0), path: '' };
  }
  try {
    await runWorkStack(start(), options.workers ?? 8, handle, options.signal);
  } finally {
    for (const node of [...open]) await close(node);
  }
  if (!asRoot) issue('warning', 'EXPORT_NO_OWNERSHIP', '', 'not running as root: uid/gid were not restored and device nodes were skipped');
  const precision = timePrecision();
  if (precision === 'us') issue('warning', 'EXPORT_TIMES_MICROSECOND', '', `times were set to the nearest microsecond, not the nanosecond: ${timePrecisionReason()}`);
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { ...counters, timePrecision: precision, issues, errors, warnings: issues.length - errors };
}
