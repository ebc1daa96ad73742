/** Reads a regular source file piece by piece, refusing to go on if it changes size. */
import { open, type FileHandle } from 'node:fs/promises';
import { SourceError } from '../errors.js';
import { toSourceStat, type SourceStat } from './stat.js';
import { SMALL_READ_MAX, readSmallInWorker, type SourceJobResult } from './source-jobs.js';
import { SOURCE_OPEN_FLAGS } from './sync-ops.js';

/**
 * Files up to this size are read whole by a worker, with one read of size + 1 bytes right after
 * open: a longer read means the file grew, a shorter one that it shrank. That saves the separate
 * growth probe and all the thread-pool round trips of a small file.
 */
export const SMALL_FILE_BYTES = SMALL_READ_MAX;
const SMALL = BigInt(SMALL_FILE_BYTES);

/** True for a size (as the scan saw it) that `SourceFile.open` reads whole in a worker. */
export function isSmallFile(size: bigint): boolean {
  return size <= SMALL;
}

/** A whole read of a small file started before its open (see startSmallRead). */
export type SmallRead = Promise<SourceJobResult>;

/**
 * Starts the worker's whole read of a small file now, for a later `SourceFile.open`. The loader
 * reads a window of files ahead so that each message to the workers carries many reads: one
 * message per file costs more than the file's syscalls (a thread wake-up each way).
 * A read nobody opens is simply dropped (its failure is not unhandled).
 */
export function startSmallRead(path: Buffer): SmallRead {
  const read = readSmallInWorker(path);
  read.catch(() => undefined);
  return read;
}

/** An open source file: its attributes at open time and exact-range reads. */
export class SourceFile {
  /** The whole file (small files), read at open, and whether it held more than stat said. */
  private whole: Buffer | undefined;
  private grew = false;

  private constructor(
    /** undefined when the file was read whole (and closed) by a worker */
    private readonly fh: FileHandle | undefined,
    readonly path: string,
    /** fstat right after open: the size every read is checked against */
    readonly stat: SourceStat,
  ) {}

  /**
   * Opens a source file. `expectedSize` is its size at scan time: a small file is opened, read
   * whole and closed by a worker thread in one job (source-jobs.ts), the fast path for trees of
   * many small files; a bigger one (or one found bigger than the scan said) is opened here and
   * read piece by piece. `started` is that small-file read if it was begun ahead (startSmallRead).
   */
  static async open(path: Buffer, expectedSize: bigint, started?: SmallRead): Promise<SourceFile> {
    const display = path.toString();
    if (started || isSmallFile(expectedSize)) {
      let r;
      try {
        r = await (started ?? readSmallInWorker(path));
      } catch (err) {
        // an fs error belongs to this file; anything else (a worker that died) stops the job
        throw isSourceFailure(err) ? sourceErrorFrom(display, err) : err;
      }
      if (r.kind === 'not-regular') throw changedType(display);
      if (r.kind === 'read') {
        const file = new SourceFile(undefined, display, r.stat);
        const size = Number(r.stat.size);
        file.grew = r.length > size;
        file.whole = Buffer.from(r.data.buffer, r.data.byteOffset, Math.min(r.length, size));
        return file;
      }
    }
    try {
      const fh = await open(path, SOURCE_OPEN_FLAGS);
      try {
        const raw = await fh.stat({ bigint: true });
        if (!raw.isFile()) throw changedType(display);
        return new SourceFile(fh, display, toSourceStat(raw));
      } catch (err) {
        await fh.close();
        throw err;
      }
    } catch (err) {
      throw sourceErrorFrom(display, err);
    }
  }

  /**
   * Reads exactly `length` bytes at `offset` into a fresh buffer. A short read means the file
   * shrank since open: that fails the file (we never write a length that disagrees with data).
   */
  async readExact(offset: number, length: number): Promise<Buffer> {
    if (this.whole) {
      if (offset + length > this.whole.length) throw this.shrank();
      return offset === 0 && length === this.whole.length ? this.whole : this.whole.subarray(offset, offset + length);
    }
    const buf = Buffer.allocUnsafe(length);
    await this.readInto(buf, 0, offset, length);
    return buf;
  }

  /** As readExact, into `buf` at `at` (a segment's blob buffer: the data is read where it is sent from). */
  async readInto(buf: Uint8Array, at: number, offset: number, length: number): Promise<void> {
    if (this.whole) {
      if (offset + length > this.whole.length) throw this.shrank();
      buf.set(this.whole.subarray(offset, offset + length), at);
      return;
    }
    const fh = this.handle();
    let done = 0;
    try {
      while (done < length) {
        const { bytesRead } = await fh.read(buf, at + done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (err) {
      throw sourceErrorFrom(this.path, err);
    }
    if (done !== length) throw this.shrank();
  }

  /**
   * `length` bytes at `offset` as a range of the open file, for a store that copies them itself
   * (BlobStore.putFileRange); undefined for a file read whole at open. The caller checks the count
   * it gets back against `length` (shrankError) as readInto does.
   */
  range(offset: number, length: number): { fd: number; offset: number; length: number; readError(err: unknown): SourceError } | undefined {
    if (!this.fh) return undefined;
    return { fd: this.fh.fd, offset, length, readError: (err) => sourceErrorFrom(this.path, err) };
  }

  /** The error of a read that found fewer bytes than stat said: the file shrank since open. */
  shrankError(): SourceError {
    return this.shrank();
  }

  private shrank(): SourceError {
    return new SourceError('CLFS_SOURCE_CHANGED', this.path, `file shrank while being read (expected ${this.stat.size} bytes)`);
  }

  /** Throws if the file holds data past the size seen at open (it grew while being read). */
  async checkNoGrowth(): Promise<void> {
    if (this.grew) throw this.grown();
    if (this.whole) return;
    const probe = Buffer.allocUnsafe(1);
    let n: number;
    try {
      ({ bytesRead: n } = await this.handle().read(probe, 0, 1, Number(this.stat.size)));
    } catch (err) {
      throw sourceErrorFrom(this.path, err);
    }
    if (n !== 0) throw this.grown();
  }

  private grown(): SourceError {
    return new SourceError('CLFS_SOURCE_CHANGED', this.path, `file grew while being read (was ${this.stat.size} bytes at open)`);
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
  }

  private handle(): FileHandle {
    if (!this.fh) throw new Error(`${this.path}: read past the whole file read at open`);
    return this.fh;
  }
}

function changedType(path: string): SourceError {
  return new SourceError('CLFS_SOURCE_CHANGED', path, 'is no longer a regular file (it changed after the scan)');
}

/** True for failures of the source file system (errno errors from fs calls, or SourceErrors). */
export function isSourceFailure(err: unknown): boolean {
  if (err instanceof SourceError) return true;
  const e = err as NodeJS.ErrnoException | undefined;
  return typeof e?.errno === 'number' && typeof e.syscall === 'string';
}

/** Wraps a Node fs error as a SourceError with a stable code naming the path. */
export function sourceErrorFrom(path: string, err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ELOOP' || e?.code === 'ENOTDIR') {
    // what O_NOFOLLOW / O_DIRECTORY refuse: the entry was swapped for a symlink or another type
    return new SourceError('CLFS_SOURCE_CHANGED', path, `changed type after the scan; not followed (${e.code})`, { cause: err });
  }
  const code = e?.code === 'ENOENT' ? 'CLFS_SOURCE_VANISHED' : e?.code === 'EACCES' || e?.code === 'EPERM' ? 'CLFS_SOURCE_DENIED' : 'CLFS_SOURCE_IO';
  return new SourceError(code, path, e?.message ?? String(err), { cause: err });
}
