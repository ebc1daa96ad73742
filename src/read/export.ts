/**
 * `export`: rebuilds a container's tree under a destination directory. It never writes outside
 * it: unsafe entry names are skipped, nothing existing is followed or replaced (export-fs.ts),
 * and a directory reached twice is not entered again. Damaged objects are reported and skipped.
 */
import { promises as fsp } from 'node:fs';
import { ROOT_ID, idHex } from '../format/index.js';
import type { InodeObject } from '../format/index.js';
import { ClfsError, UsageError } from '../errors.js';
import type { Container } from './container.js';
import { directoryEntries } from './dir-entries.js';
import { displayName, joinPath, typeOfBtype, unsafeNameReason } from './entry-kind.js';
import { applyPathAttrs, createFile, finishFile, makeNode, makeSymlink, prepareDest, type Attrs } from './export-fs.js';
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

interface Item {
  id: Uint8Array;
  fsPath: Buffer;
  path: string;
}

const SLASH = Buffer.from('/');

function attrsOf(inode: InodeObject): Attrs {
  const v = inode.vattr;
  return { mode: v.mode, uid: v.uid, gid: v.gid, atime: v.atime, mtime: v.mtime };
}

export async function exportContainer(c: Container, dest: string, options: ExportOptions = {}): Promise<ExportResult> {
  try {
    await prepareDest(dest);
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
  const dirs: { fsPath: Buffer; attrs: Attrs; path: string }[] = [];
  const dirsSeen = new Set<string>();
  /** multi-link objects: the first path written (undefined if that failed) */
  const links = new Map<string, Promise<Buffer | undefined>>();

  async function* children(id: Uint8Array, inode: InodeObject, fsPath: Buffer, path: string): AsyncGenerator<Item> {
    try {
      for await (const e of directoryEntries(c, id, inode, path)) {
        const shown = displayName(e.name);
        const reason = unsafeNameReason(e.name);
        if (reason) {
          issue('error', 'EXPORT_UNSAFE_NAME', path, `entry ${JSON.stringify(shown)} skipped: ${reason}`);
          continue;
        }
        yield { id: e.fh, fsPath: Buffer.concat([fsPath, SLASH, e.name]), path: joinPath(path, shown) };
      }
    } catch (err) {
      failed(path, err);
    }
  }

  const writeLeaf = async (item: Item, inode: InodeObject): Promise<boolean> => {
    const type = typeOfBtype(inode.vattr.btype);
    const a = attrsOf(inode);
    if (type === 'file') {
      const fh = await createFile(item.fsPath);
      try {
        for await (const chunk of fileChunks(c, item.id, inode, { readAhead: 2, path: item.path })) {
          for (let off = 0; off < chunk.length;) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
          counters.bytes += chunk.length;
        }
        await finishFile(fh, a, asRoot);
      } catch (err) {
        await fh.close();
        await fsp.unlink(item.fsPath).catch(() => undefined); // our own partial file
        throw err;
      }
      await fh.close();
      counters.files++;
    } else if (type === 'symlink') {
      await makeSymlink(inode.data ?? new Uint8Array(0), item.fsPath, a, asRoot);
      counters.symlinks++;
    } else if (type === 'fifo' || ((type === 'chr' || type === 'blk') && asRoot)) {
      await makeNode(type, item.fsPath, inode.vattr.rdevMajor, inode.vattr.rdevMinor);
      await applyPathAttrs(item.fsPath, a, asRoot);
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

  const handleLeaf = async (item: Item, inode: InodeObject): Promise<void> => {
    const multi = inode.vattr.nlink > 1 || (inode.back?.length ?? 0) > 1;
    let settle: ((p: Buffer | undefined) => void) | undefined;
    if (multi) {
      const key = idHex(item.id);
      const prior = links.get(key);
      if (prior) {
        const first = await prior;
        if (!first) return issue('error', 'EXPORT_WRITE_FAILED', item.path, 'hard link skipped: its first name could not be written');
        await fsp.link(first, item.fsPath);
        counters.hardLinks++;
        return;
      }
      links.set(key, new Promise((resolve) => (settle = resolve)));
    }
    let ok = false;
    try {
      ok = await writeLeaf(item, inode);
    } finally {
      settle?.(ok ? item.fsPath : undefined);
    }
  };

  const handle = async (item: Item, push: (it: AsyncIterable<Item>) => void): Promise<void> => {
    try {
      const { inode } = await c.readInode(item.id, item.path);
      if (typeOfBtype(inode.vattr.btype) !== 'dir') return await handleLeaf(item, inode);
      const key = idHex(item.id);
      if (dirsSeen.has(key)) return issue('error', 'EXPORT_DIR_LINK', item.path, 'directory already exported under another name; not entered again');
      dirsSeen.add(key);
      if (item.path !== '') await fsp.mkdir(item.fsPath, 0o700);
      dirs.push({ fsPath: item.fsPath, attrs: attrsOf(inode), path: item.path });
      counters.directories++;
      push(children(item.id, inode, item.fsPath, item.path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') issue('error', 'EXPORT_NAME_EXISTS', item.path, 'the name is already taken in its directory (duplicate entry); skipped');
      else failed(item.path, err);
    }
  };

  async function* start(): AsyncGenerator<Item> {
    yield { id: ROOT_ID, fsPath: Buffer.from(dest), path: '' };
  }
  await runWorkStack(start(), options.workers ?? 8, handle, options.signal);
  // directory attributes last, children before parents, so modes like 0500 do not block the writes
  for (const d of dirs.reverse()) {
    try {
      await applyPathAttrs(d.fsPath, d.attrs, asRoot);
    } catch (err) {
      failed(d.path, err);
    }
  }
  if (!asRoot) issue('warning', 'EXPORT_NO_OWNERSHIP', '', 'not running as root: uid/gid were not restored and device nodes were skipped');
  const precision = timePrecision();
  if (precision === 'us') issue('warning', 'EXPORT_TIMES_MICROSECOND', '', `times were set to the nearest microsecond, not the nanosecond: ${timePrecisionReason()}`);
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { ...counters, timePrecision: precision, issues, errors, warnings: issues.length - errors };
}
