/**
 * A BlobStore over a local directory: one regular file per blob, file name = blob name — the layout of
 * the reference fixtures (../shared/fixtures/reference/<variant>/container/).
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import type { BlobInfo, BlobPage, BlobStore, FileRange, ListOptions } from './blob-store.js';
import { firstIndexAfter, lowerBound, compareUtf8 } from './utf8-order.js';
import { storeError, throwIfAborted } from './store-errors.js';
import { AbortedError, ClfsError, StoreError } from '../errors.js';
import { WORKER_PUT_BYTES, putInWorker } from './local-put-jobs.js';
import { SyncHelper } from './sync-helper.js';
import { nativeWriteRange, type CopyRangeError, type WriteRange } from './native-copy-range.js';
import { TEMP_PREFIX, tempNamePid, tempNamer } from './temp-names.js';
import { readFileCapped } from './read-capped.js';

export { TEMP_PREFIX };

const tempPath = tempNamer();

export interface LocalDirStoreOptions {
  /**
   * true (the default): each put goes to a temp file, fsynced, renamed into place; a power loss
   * keeps the old bytes or the new, and a put is durable when it resolves.
   * false: nothing is durable until sync() (the loader's checkpoints, load/checkpoints.ts), and a
   * blob that does not exist yet is written straight to its name, saving a second directory entry
   * and a rename (a quarter of the system time of a small put). Until that put resolves the name
   * may hold part of the blob; a put cut short by a crash leaves it so, and the loader, whose
   * record of the blob is not done, writes it again (replacing, below). A blob that exists is
   * always replaced through a temp file and a rename: readers see the old bytes or the new.
   */
  fsync?: boolean;
  /** largest page listPage returns */
  maxPageSize?: number;
}

export class LocalDirStore implements BlobStore {
  readonly description: string;
  readonly dir: string;
  private readonly fsync: boolean;
  /** `dir` with one trailing slash: a blob's path is this plus its name */
  private readonly dirPrefix: string;
  private readonly maxPageSize: number;
  /** the sweep of temp files left by dead writers, started by the first put */
  private swept: Promise<void> | undefined;
  private syncHelper: SyncHelper | undefined;
  /** present when native/copy-range is built (see BlobStore.putFileRange) */
  readonly putFileRange: ((name: string, head: Uint8Array, range: FileRange, tail: Uint8Array, signal?: AbortSignal) => Promise<number>) | undefined;

  constructor(dir: string, options: LocalDirStoreOptions = {}) {
    this.dir = path.resolve(dir);
    const writeRange = nativeWriteRange();
    this.putFileRange = writeRange ? (name, head, range, tail, signal) => this.putCopied(writeRange, name, head, range, tail, signal) : undefined;
    this.dirPrefix = this.dir.endsWith('/') ? this.dir : `${this.dir}/`;
    this.description = `local directory ${this.dir}`;
    this.fsync = options.fsync ?? true;
    this.maxPageSize = options.maxPageSize ?? 5000;
  }

  // Reads the whole directory per page: simple and always current; O(n) per page is fine for containers
  // of a few hundred thousand blobs, and a cache would go stale under concurrent puts.
  async listPage(options: ListOptions = {}): Promise<BlobPage> {
    throwIfAborted(options.signal);
    const prefix = options.prefix ?? '';
    let entries: string[];
    try {
      entries = await fsp.readdir(this.dir);
    } catch (err) {
      throw await this.mapError(err, undefined, 'list');
    }
    const names = entries.filter((n) => n.startsWith(prefix) && !n.startsWith(TEMP_PREFIX)).sort(compareUtf8);
    const limit = Math.max(1, Math.min(options.pageSize ?? this.maxPageSize, this.maxPageSize));
    const start = Math.max(firstIndexAfter(names, options.continuation), lowerBound(names, prefix));
    const slice = names.slice(start, start + limit);
    const infos = await Promise.all(slice.map((n) => this.statBlob(n)));
    const items = infos.filter((i): i is BlobInfo => i !== undefined);
    const more = start + slice.length < names.length;
    return more ? { items, continuation: slice[slice.length - 1] } : { items };
  }

  async get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    const file = this.pathOf(name);
    throwIfAborted(signal);
    if (maxBytes === undefined) {
      try {
        const buf = await fsp.readFile(file, { signal });
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (err) {
        throw await this.mapError(err, name, 'get');
      }
    }
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (err) {
      throw await this.mapError(err, name, 'get');
    }
    try {
      // sized by fstat of the file opened, so the check and the read are about the same file
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
      return await readFileCapped(fh, name, st.size, maxBytes, signal);
    } catch (err) {
      if (err instanceof ClfsError) throw err;
      throw await this.mapError(err, name, 'get');
    } finally {
      await fh.close();
    }
  }

  async put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    const file = this.pathOf(name);
    throwIfAborted(signal);
    await (this.swept ??= this.sweepDeadTemps());
    if (data.length <= WORKER_PUT_BYTES) {
      try {
        await putInWorker(file, data, this.fsync);
        return;
      } catch (err) {
        throw await this.putError(err, name);
      }
    }
    const write = async (fh: fsp.FileHandle): Promise<number> => {
      await fh.writeFile(data);
      return data.length;
    };
    try {
      if (!this.fsync && (await writeNewWith(file, write)) !== undefined) return;
      await this.writeReplacing(file, write, undefined, signal);
    } catch (err) {
      throw await this.putError(err, name);
    }
  }

  /**
   * The blob is written whole to a temp file, then hard-linked to its name: link(2) fails with
   * EEXIST if the name is taken, atomically, and the name never shows a partial blob. Where the
   * file system has no hard links, an O_EXCL create of the name itself: still exclusive, but a
   * crash mid-write can leave it partial. Durable when it resolves whatever `fsync` says (the file,
   * then the directory): one blob per job, which a resume after a power loss must find.
   */
  async putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    const file = this.pathOf(name);
    throwIfAborted(signal);
    await (this.swept ??= this.sweepDeadTemps());
    const write = async (fh: fsp.FileHandle): Promise<number> => {
      await fh.writeFile(data);
      await fh.sync();
      return data.length;
    };
    const tmp = tempPath(this.dir);
    try {
      const fh = await fsp.open(tmp, 'wx', 0o644);
      try {
        await write(fh);
      } finally {
        await fh.close();
      }
      throwIfAborted(signal);
      let created: boolean;
      try {
        await fsp.link(tmp, file);
        created = true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return false;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
        created = (await writeNewWith(file, write)) !== undefined;
      }
      if (created) await syncDir(this.dir);
      return created;
    } catch (err) {
      throw await this.putError(err, name);
    } finally {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  /** putFileRange: the same steps as put (straight to a new name, else temp file and rename), writing with the helper. */
  private async putCopied(writeRange: WriteRange, name: string, head: Uint8Array, range: FileRange, tail: Uint8Array, signal?: AbortSignal): Promise<number> {
    const file = this.pathOf(name);
    throwIfAborted(signal);
    await (this.swept ??= this.sweepDeadTemps());
    // a failure to read the file is the caller's (range.readError), passed on as it is
    let readFailure: Error | undefined;
    const write = async (fh: fsp.FileHandle): Promise<number> => {
      try {
        return await writeRange(fh.fd, head, range.fd, range.offset, range.length, tail);
      } catch (err) {
        if ((err as CopyRangeError).syscall === 'read') throw (readFailure = range.readError(err));
        throw err;
      }
    };
    try {
      const copied = this.fsync ? undefined : await writeNewWith(file, write, range.length);
      return copied ?? (await this.writeReplacing(file, write, range.length, signal));
    } catch (err) {
      throw err === readFailure ? err : await this.putError(err, name);
    }
  }

  /**
   * A temp file beside `file` written by `write`, fsynced if the store syncs, renamed over `file`:
   * readers see the old bytes or the new. Resolves to write's count. Nothing is left of a failed
   * write, nor of one whose count falls short of `full` (then `file` keeps its old bytes).
   */
  private async writeReplacing(file: string, write: (fh: fsp.FileHandle) => Promise<number>, full: number | undefined, signal?: AbortSignal): Promise<number> {
    const tmp = tempPath(this.dir);
    try {
      const fh = await fsp.open(tmp, 'wx', 0o644);
      let n: number;
      try {
        n = await write(fh);
        if (this.fsync && (full === undefined || n === full)) await fh.sync();
      } finally {
        await fh.close();
      }
      throwIfAborted(signal);
      if (full !== undefined && n < full) {
        await fsp.rm(tmp, { force: true });
        return n;
      }
      await fsp.rename(tmp, file);
      return n;
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  private async putError(err: unknown, name: string): Promise<Error> {
    if (err instanceof ClfsError) return err;
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') {
      return storeError('CLFS_STORE_IO', `${path.join(this.dir, name)}: put failed: a directory is in the way`, { blob: name });
    }
    return this.mapError(err, name, 'put');
  }

  /**
   * Durability barrier for puts made with `fsync: false`: one syncfs of the container's file
   * system (`sync -f`, coreutils) instead of one fsync per blob — the same guarantee at the
   * points a caller checkpoints its progress, for a fraction of the calls.
   */
  async sync(): Promise<void> {
    try {
      this.syncHelper ??= new SyncHelper(this.dir);
      await this.syncHelper.sync();
    } catch (err) {
      throw await this.mapError(err, undefined, 'sync');
    }
  }

  /** Stops the sync helper (it would also end by itself with this process). */
  async close(): Promise<void> {
    this.syncHelper?.close();
    this.syncHelper = undefined;
  }

  async delete(name: string, signal?: AbortSignal): Promise<boolean> {
    const file = this.pathOf(name);
    throwIfAborted(signal);
    try {
      await fsp.unlink(file);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' && (await this.dirExists())) || code === 'EISDIR') return false;
      throw await this.mapError(err, name, 'delete');
    }
  }

  async head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    this.pathOf(name);
    throwIfAborted(signal);
    const info = await this.statBlob(name);
    if (!info && !(await this.dirExists())) throw this.missing();
    return info;
  }

  async checkAccess(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    let st;
    try {
      st = await fsp.stat(this.dir);
    } catch (err) {
      throw await this.mapError(err, undefined, 'check');
    }
    if (!st.isDirectory()) throw storeError('CLFS_STORE_CONTAINER_MISSING', `${this.description}: not a directory`);
    try {
      await fsp.access(this.dir, fsc.R_OK | fsc.W_OK | fsc.X_OK);
    } catch (err) {
      throw await this.mapError(err, undefined, 'check');
    }
  }

  /**
   * Removes temp files whose writer died before renaming them into place (a crash or SIGKILL mid-put):
   * their names carry the writer's pid, and a pid that no longer runs on this host cannot finish them.
   * Runs once per store, before its first write, so readers never modify a container. Best effort.
   */
  private async sweepDeadTemps(): Promise<void> {
    let entries: string[];
    try {
      entries = await fsp.readdir(this.dir);
    } catch {
      return; // the put itself reports a missing or unreadable directory
    }
    for (const name of entries) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const pid = tempNamePid(name);
      // names without a pid come from writers before this scheme: their owner is long gone
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid))) continue;
      await fsp.rm(path.join(this.dir, name), { force: true }).catch(() => undefined);
    }
  }

  /** The file for a blob; names a directory cannot hold safely (or the temp prefix) throw CLFS_STORE_IO. */
  private pathOf(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || name.startsWith(TEMP_PREFIX)) {
      throw storeError('CLFS_STORE_IO', `${this.description}: blob name ${JSON.stringify(name)} cannot be stored as a file`, { blob: name });
    }
    // a checked name under an absolute, normalized dir: path.join's normalizing would find nothing to do
    return this.dirPrefix + name;
  }

  private async statBlob(name: string): Promise<BlobInfo | undefined> {
    try {
      const st = await fsp.stat(path.join(this.dir, name));
      return st.isFile() ? { name, size: st.size } : undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw await this.mapError(err, name, 'head');
    }
  }

  private async dirExists(): Promise<boolean> {
    try {
      return (await fsp.stat(this.dir)).isDirectory();
    } catch {
      return false;
    }
  }

  private missing(): StoreError {
    return storeError('CLFS_STORE_CONTAINER_MISSING', `${this.description}: directory does not exist`);
  }

  private async mapError(err: unknown, blob: string | undefined, op: string): Promise<Error> {
    const e = err as NodeJS.ErrnoException;
    if (e.name === 'AbortError') return new AbortedError();
    const where = blob === undefined ? this.dir : path.join(this.dir, blob);
    switch (e.code) {
      case 'ENOENT':
      case 'ENOTDIR':
        if (!(await this.dirExists())) return this.missing();
        if (blob !== undefined) return storeError('CLFS_STORE_NOT_FOUND', `${this.description}: blob not found: ${blob}`, { blob, status: 404 });
        break;
      case 'EISDIR':
        if (blob !== undefined) return storeError('CLFS_STORE_NOT_FOUND', `${this.description}: blob not found (a directory): ${blob}`, { blob, status: 404 });
        break;
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return storeError('CLFS_STORE_AUTH', `${where}: permission denied (${op})`, { blob });
      case 'ENAMETOOLONG':
        return storeError('CLFS_STORE_IO', `${this.description}: blob name too long for this file system: ${blob}`, { blob });
    }
    return storeError('CLFS_STORE_IO', `${where}: ${op} failed: ${e.code ?? e.message}`, { blob });
  }
}

/**
 * A file that does not exist yet, written straight to `file` by `write`; resolves to write's count,
 * or undefined when the name exists. Nothing is left of a failed write, nor of one whose count
 * falls short of `full` (a copy whose source ended early).
 */
async function writeNewWith(file: string, write: (fh: fsp.FileHandle) => Promise<number>, full?: number): Promise<number | undefined> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  try {
    const n = await write(fh);
    await fh.close();
    if (full !== undefined && n < full) await fsp.rm(file, { force: true });
    return n;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fsp.rm(file, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** fsync of a directory: its new entries survive a power loss. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Whether a process with this pid exists (signal 0 only checks; EPERM means it exists but is not ours). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
