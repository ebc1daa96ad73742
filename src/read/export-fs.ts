/**
 * File-system operations of `export`. The destination may sit in a directory another user can
 * write, so nothing is ever resolved twice by path: every entry is made relative to its parent's
 * open directory descriptor (`/proc/self/fd/N/name`: Linux resolves it from the open directory,
 * never re-walking the path above it; Node has no openat/mkdirat), the final component is never
 * followed (mkdir, O_EXCL|O_NOFOLLOW, l*-calls), and attributes are applied through open
 * descriptors. Times are set to the nanosecond by precise-times.ts.
 */
import { closeSync, constants as fsc, promises as fsp } from 'node:fs';
import { spawn } from 'node:child_process';
import type { Stats } from 'node:fs';
import type { ClfsTime } from '../format/index.js';
import { setHandleTimes, setPathTimes } from './precise-times.js';
import { makeDirs, type MakeDirsFailure } from '../util/make-dirs.js';

/** Linux O_PATH (not in fs.constants): a descriptor naming an inode without opening it (no FIFO/device side effects). */
const O_PATH = 0o10000000;
const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;

export interface Attrs {
  mode: number;
  uid: number;
  gid: number;
  atime: ClfsTime;
  mtime: ClfsTime;
}

/** `name` inside the open directory `dir`, resolved from the descriptor. */
export function at(dir: fsp.FileHandle, name: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`/proc/self/fd/${dir.fd}/`), name]);
}

/** An entry replaced between our create and our open: refuse it. */
export class ReplacedError extends Error {}

const euid = (): number => process.geteuid?.() ?? -1;

async function expectOwn(fh: fsp.FileHandle, isType: (st: Stats) => boolean): Promise<void> {
  const st = await fh.stat();
  if (!isType(st) || st.uid !== euid()) {
    await fh.close();
    throw new ReplacedError('replaced by something else while being exported; left alone');
  }
}

/** Opens an existing directory without following a symlink at `p`'s last component. */
export function openDir(p: Buffer | string): Promise<fsp.FileHandle> {
  return fsp.open(p, DIR_FLAGS);
}

/** Creates directory `name` in `parent` (never through or over an existing name) and opens it. */
export async function makeDir(parent: fsp.FileHandle, name: Buffer): Promise<fsp.FileHandle> {
  await fsp.mkdir(at(parent, name), 0o700);
  let fh: fsp.FileHandle;
  try {
    fh = await openDir(at(parent, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new ReplacedError('replaced by something else while being exported; left alone');
    throw err;
  }
  await expectOwn(fh, (st) => st.isDirectory());
  return fh;
}

/** Reopens directory `name` of `parent` that we made earlier, checking it is still that directory. */
export async function reopenDir(parent: fsp.FileHandle, name: Buffer, dev: number, ino: number): Promise<fsp.FileHandle> {
  const fh = await openDir(at(parent, name));
  const st = await fh.stat();
  if (st.dev !== dev || st.ino !== ino) {
    await fh.close();
    throw new ReplacedError('its directory was replaced while being exported');
  }
  return fh;
}

/** Creates a new regular file (never through or over an existing name) and returns its handle. */
export function createFile(dir: fsp.FileHandle, name: Buffer): Promise<fsp.FileHandle> {
  return fsp.open(at(dir, name), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
}

/** chown (as root) before chmod (chown clears setuid bits), then times; all on the open handle (a file or a directory). */
export async function finishHandle(fh: fsp.FileHandle, a: Attrs, asRoot: boolean): Promise<void> {
  if (asRoot) await fh.chown(a.uid, a.gid);
  await fh.chmod(a.mode & 0o7777);
  await setHandleTimes(fh, a.atime, a.mtime);
}

export async function makeSymlink(target: Uint8Array, dir: fsp.FileHandle, name: Buffer, a: Attrs, asRoot: boolean): Promise<void> {
  const p = at(dir, name);
  await fsp.symlink(Buffer.from(target), p);
  if (asRoot) await fsp.lchown(p, a.uid, a.gid);
  await setPathTimes(p, a.atime, a.mtime);
}

export async function link(fromDir: fsp.FileHandle, fromName: Buffer, toDir: fsp.FileHandle, toName: Buffer): Promise<void> {
  await fsp.link(at(fromDir, fromName), at(toDir, toName)); // link(2) never follows a symlink at either end
}

/**
 * Runs mkfifo(1)/mknod(1) (Node has no mknod) with the directory's descriptor as its fd 3, so it
 * creates `/proc/self/fd/3/name` in that very directory; umask 077 instead of `-m`, whose chmod
 * would go by path. The name must be valid UTF-8 (arguments are strings).
 */
function spawnNode(kind: 'fifo' | 'chr' | 'blk', dir: fsp.FileHandle, name: string, major: number, minor: number): Promise<void> {
  const target = `/proc/self/fd/3/${name}`;
  const args = kind === 'fifo' ? ['mkfifo', '--', target] : ['mknod', '--', target, kind === 'chr' ? 'c' : 'b', String(major), String(minor)];
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'umask 077 && exec "$@"', 'sh', ...args], { stdio: ['ignore', 'ignore', 'pipe', dir.fd] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} failed: ${stderr.trim().replace(/\/proc\/self\/fd\/3\//g, '') || `exit ${code}`}`))));
  });
}

/** A FIFO or device node `name` in `dir`, then its attributes (chmod through an O_PATH descriptor: chmod has no no-follow form). */
export async function makeNode(kind: 'fifo' | 'chr' | 'blk', dir: fsp.FileHandle, name: Buffer, major: number, minor: number, a: Attrs, asRoot: boolean): Promise<void> {
  const text = name.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(name)) throw new Error('name is not valid UTF-8; mkfifo/mknod cannot be given it');
  await spawnNode(kind, dir, text, major, minor);
  const p = at(dir, name);
  const node = await fsp.open(p, O_PATH | fsc.O_NOFOLLOW);
  try {
    const isType = kind === 'fifo' ? (s: Stats) => s.isFIFO() : kind === 'chr' ? (s: Stats) => s.isCharacterDevice() : (s: Stats) => s.isBlockDevice();
    const st = await node.stat();
    if (!isType(st) || st.uid !== euid()) throw new ReplacedError('replaced by something else while being exported; left alone');
    const self = `/proc/self/fd/${node.fd}`; // the node itself, whatever happens to its name
    if (asRoot) await fsp.chown(self, a.uid, a.gid);
    await fsp.chmod(self, a.mode & 0o7777);
  } finally {
    await node.close();
  }
  await setPathTimes(p, a.atime, a.mtime); // never follows a symlink at p
}

/** Holes: aligned 4 KiB blocks of zeros are skipped (seek), as `cp --sparse=auto` does. */
const BLOCK = 4096;
const ZEROS = Buffer.alloc(BLOCK);

async function writeAll(fh: fsp.FileHandle, buf: Buffer, pos: number): Promise<void> {
  for (let off = 0; off < buf.length;) off += (await fh.write(buf, off, buf.length - off, pos + off)).bytesWritten;
}

/** Writes a file's chunks in order, leaving whole zero blocks as holes. */
export class SparseWriter {
  private pos = 0;
  /** bytes up to here are on disk; beyond it (up to pos) is a hole */
  private dataEnd = 0;

  constructor(private readonly fh: fsp.FileHandle) {}

  async write(chunk: Uint8Array): Promise<void> {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const pos = this.pos;
    let runStart = -1; // start (in buf) of the pending run of data to write
    let i = 0;
    while (i < buf.length) {
      const end = Math.min(buf.length, i + BLOCK - ((pos + i) % BLOCK));
      const zero = end - i === BLOCK && buf.subarray(i, end).equals(ZEROS);
      if (zero && runStart >= 0) {
        await writeAll(this.fh, buf.subarray(runStart, i), pos + runStart);
        this.dataEnd = pos + i;
        runStart = -1;
      } else if (!zero && runStart < 0) runStart = i;
      i = end;
    }
    if (runStart >= 0) {
      await writeAll(this.fh, buf.subarray(runStart), pos + runStart);
      this.dataEnd = pos + buf.length;
    }
    this.pos = pos + buf.length;
  }

  /** The length, when the file ends in a hole. */
  async finish(): Promise<void> {
    if (this.dataEnd < this.pos) await this.fh.truncate(this.pos);
  }
}

/** Short text of a system error ("permission denied") without Node's syscall and path suffix. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e.code && e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2).replace(/, \w+ '.*'$/s, '') : e.message;
  return e.code ? `${text} (${e.code})` : text;
}

/** Thrown by openDest: one line for the user. */
export class DestError extends Error {}

/** A destination that could not be made or opened, in one line (CLFS_EXPORT_DEST, exit 2). */
function destError(dest: string, f: MakeDirsFailure): DestError {
  switch (f.reason) {
    case 'symlink':
      return new DestError(`${dest} is a symbolic link; give the directory itself`);
    case 'not-a-directory':
      return new DestError(`${dest} exists and is not a directory`);
    case 'parent-not-a-directory':
      return new DestError(`${dest}: a parent is not a directory`);
    case 'replaced':
      return new DestError(`${dest} was replaced while being created`);
    case 'permission-denied':
    case 'read-only':
    case 'cannot-create-there':
    case 'other':
      return new DestError(`cannot create ${dest}: ${f.path === dest ? '' : `${f.path}: `}${reason(f.error)}`);
  }
}

/**
 * Opens the destination: an empty directory (not a symlink), created (mode 0700) with its missing
 * parents if absent (util/make-dirs.ts). `created` says whether we made it: only then are the
 * container root's owner, mode and times applied to it.
 */
export async function openDest(dest: string): Promise<{ dir: fsp.FileHandle; created: boolean }> {
  const r = makeDirs(dest, 0o700);
  if (!r.ok) throw destError(dest, r.failure);
  const { created } = r;
  let dir: fsp.FileHandle;
  try {
    // the very directory makeDirs opened, as a FileHandle (Node cannot wrap a raw descriptor)
    dir = await fsp.open(`/proc/self/fd/${r.fd}`, fsc.O_RDONLY | fsc.O_DIRECTORY);
  } catch (err) {
    throw new DestError(`cannot open ${dest}: ${reason(err)}`);
  } finally {
    closeSync(r.fd);
  }
  try {
    const st = await dir.stat();
    if (created && st.uid !== euid()) throw new DestError(`${dest} was replaced while being created`);
    if ((await fsp.readdir(`/proc/self/fd/${dir.fd}`)).length > 0) throw new DestError(`${dest} is not empty`);
  } catch (err) {
    await dir.close();
    throw err instanceof DestError ? err : new DestError(`cannot read ${dest}: ${reason(err)}`);
  }
  return { dir, created };
}
