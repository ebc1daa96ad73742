/**
 * File-system operations of `export`, each refusing to follow or replace anything: files are
 * created with O_EXCL|O_NOFOLLOW, directories with mkdir (EEXIST on any existing name, symlinks
 * included), and attributes are applied through the open handle or with l*-calls. Times are
 * set to the nanosecond by precise-times.ts (the nearest microsecond if its native helper is missing).
 */
import { constants as fsc, promises as fsp } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ClfsTime } from '../format/index.js';
import { setHandleTimes, setPathTimes } from './precise-times.js';

const run = promisify(execFile);

export interface Attrs {
  mode: number;
  uid: number;
  gid: number;
  atime: ClfsTime;
  mtime: ClfsTime;
}

/** Creates a new regular file (never through or over an existing name) and returns its handle. */
export function createFile(p: Buffer): Promise<fsp.FileHandle> {
  return fsp.open(p, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
}

/** chown (as root) before chmod (chown clears setuid bits), then times; all on the open handle. */
export async function finishFile(fh: fsp.FileHandle, a: Attrs, asRoot: boolean): Promise<void> {
  if (asRoot) await fh.chown(a.uid, a.gid);
  await fh.chmod(a.mode & 0o7777);
  await setHandleTimes(fh, a.atime, a.mtime);
}

/** Attributes of a directory, FIFO or device node we created at `p` (lchown and times never follow a symlink). */
export async function applyPathAttrs(p: Buffer, a: Attrs, asRoot: boolean): Promise<void> {
  if (asRoot) await fsp.lchown(p, a.uid, a.gid);
  await fsp.chmod(p, a.mode & 0o7777);
  await setPathTimes(p, a.atime, a.mtime);
}

export async function makeSymlink(target: Uint8Array, p: Buffer, a: Attrs, asRoot: boolean): Promise<void> {
  await fsp.symlink(Buffer.from(target), p);
  if (asRoot) await fsp.lchown(p, a.uid, a.gid);
  await setPathTimes(p, a.atime, a.mtime);
}

/** A FIFO or device node via mkfifo(1)/mknod(1) (Node has no mknod); the path must be valid UTF-8. */
export async function makeNode(kind: 'fifo' | 'chr' | 'blk', p: Buffer, major: number, minor: number): Promise<void> {
  const text = p.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(p)) throw new Error('name is not valid UTF-8; mkfifo/mknod cannot be given it');
  if (kind === 'fifo') await run('mkfifo', ['-m', '600', '--', text]);
  else await run('mknod', ['-m', '600', '--', text, kind === 'chr' ? 'c' : 'b', String(major), String(minor)]);
}

/** dest must be missing or an empty directory; it is created if missing. */
export async function prepareDest(dest: string): Promise<'created' | 'empty'> {
  let st;
  try {
    st = await fsp.lstat(dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fsp.mkdir(dest, { recursive: true, mode: 0o700 });
    return 'created';
  }
  if (!st.isDirectory()) throw new Error(`${dest} exists and is not a directory`);
  if ((await fsp.readdir(dest)).length > 0) throw new Error(`${dest} is not empty`);
  return 'empty';
}
