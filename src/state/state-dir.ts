/**
 * The state directory, held open by descriptor for the life of the job. Every file clfsload
 * opens in it is reached from that descriptor (Linux `/proc/self/fd/N/name`), never by re-resolving
 * the directory's path, and with O_NOFOLLOW (state-file.ts). A directory someone else could write
 * is refused, and so is a non-empty one that holds no job: clfsload never changes the mode of a
 * directory it did not create, nor treats another program's files as its own.
 */
import { accessSync, closeSync, constants as C, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, statSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { StateError } from '../errors.js';
import { makeDirs, type MakeDirsFailure } from '../util/make-dirs.js';

/** Names a job keeps in its state dir: the database and its SQLite side files, the lock, the logs. */
export const JOB_NAME = /^(clfsload\.(db|lock)(-wal|-shm|-journal)?|output[^/]*\.txt|problems\.txt)$/;

export class StateDir {
  private constructor(
    /** the path as given (for messages) */
    readonly path: string,
    readonly fd: number,
    /** `dev:ino` of the directory, as the scan keys what it excludes */
    readonly id: string,
    /** this call created the directory (it was new and is empty) */
    readonly created: boolean,
  ) {}

  /**
   * Opens the state directory, creating it (0700) and any missing parents when absent. Refuses
   * (CLFS_STATE_UNSAFE) one owned by another user or writable by group or others, and
   * (CLFS_STATE_NOT_JOB) a non-empty one holding anything but a job's files.
   */
  static open(dir: string): StateDir {
    const abs = path.resolve(dir);
    let created = false;
    let fd: number;
    try {
      // an existing state path is opened as named (a symlink the user gave is followed)
      fd = openSync(abs, C.O_RDONLY | C.O_DIRECTORY);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw openError(dir, err);
      // missing: made here; ENOTDIR: makeDirs names what is in the way (and creates nothing)
      const r = makeDirs(abs, 0o700);
      if (!r.ok) throw makeError(dir, r.failure);
      fd = r.fd;
      created = r.created;
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      // one we cannot write at all is reported as that (EACCES), before whose it is
      if (Number(st.uid) !== process.geteuid!()) accessSync(sdPath(fd), C.W_OK | C.X_OK);
      checkOwner(dir, st);
      const sd = new StateDir(dir, fd, `${st.dev}:${st.ino}`, created);
      if (!created) sd.checkHoldsJob();
      return sd;
    } catch (err) {
      closeSync(fd);
      throw err instanceof StateError ? err : openError(dir, err);
    }
  }

  /** A path to `name` in this directory that the kernel resolves from the descriptor, not the dir's path. */
  at(name: string): string {
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  names(): string[] {
    return readdirSync(`/proc/self/fd/${this.fd}`);
  }

  /**
   * The directory's real path, checked to name this very directory now: for SQLite, which opens
   * its files by path (and resolves every symlink in it first). Only the owner can change what
   * the path names below this directory (checkOwner); the caller verifies the opened file too.
   */
  realPath(): string {
    const real = readlinkSync(`/proc/self/fd/${this.fd}`);
    let st: BigIntStats | undefined;
    try {
      st = statSync(real, { bigint: true });
    } catch {
      // gone or renamed: refused below
    }
    if (!st || `${st.dev}:${st.ino}` !== this.id) {
      throw new StateError('CLFS_STATE_UNSAFE', `state directory ${this.path} was moved or replaced while clfsload opened it; nothing was changed in it`);
    }
    return real;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Every entry is a job's file, a regular file of ours with one link: a planted symlink is never followed. */
  private checkHoldsJob(): void {
    const names = this.names();
    const alien = names.find((n) => !JOB_NAME.test(n));
    if (alien !== undefined) {
      throw new StateError('CLFS_STATE_NOT_JOB', `state directory ${this.path} is not empty and holds no clfsload job (it has ${JSON.stringify(alien)}); give --state-path a new or empty directory, or the one of the job to resume`);
    }
    // lstat of /proc/self/fd/N/name: the magic link N is followed, `name` is not
    for (const n of names) checkJobFile(this.path, n, lstatSync(this.at(n), { bigint: true }));
  }
}

/** Refuses a job file that is not a regular file of ours with a single link (a symlink, a FIFO, a hard link to elsewhere). */
export function checkJobFile(dir: string, name: string, s: BigIntStats): void {
  const type = s.mode & BigInt(C.S_IFMT);
  const why = type === BigInt(C.S_IFLNK) ? 'is a symbolic link'
    : type !== BigInt(C.S_IFREG) ? 'is not a regular file'
      : Number(s.uid) !== process.geteuid!() ? `is owned by uid ${s.uid}, not by this user`
        : s.nlink !== 1n ? `has ${s.nlink} hard links`
          : undefined;
  if (why) {
    throw new StateError('CLFS_STATE_UNSAFE', `state file ${path.join(dir, name)} ${why}; clfsload does not open it. Remove it (or use a new --state-path) and run the command again`);
  }
}

function sdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

function checkOwner(dir: string, st: BigIntStats): void {
  const uid = process.geteuid!();
  if (Number(st.uid) !== uid) {
    throw new StateError('CLFS_STATE_UNSAFE', `state directory ${dir} is owned by uid ${st.uid}, not by this user (uid ${uid}); clfsload keeps its job only in a directory of its own user`);
  }
  if ((Number(st.mode) & 0o022) !== 0) {
    throw new StateError('CLFS_STATE_UNSAFE', `state directory ${dir} is writable by ${(Number(st.mode) & 0o002) !== 0 ? 'others' : 'its group'} (mode ${(Number(st.mode) & 0o7777).toString(8)}); clfsload does not keep a job where another user can plant files. Use a private directory`);
  }
}

/** A state directory that could not be made, in one line (CLFS_STATE_OPEN, exit 4). */
function makeError(dir: string, f: MakeDirsFailure): StateError {
  const at = f.path === path.resolve(dir) ? '' : `${f.path}: `;
  const what = f.reason === 'not-a-directory' ? `it exists and is ${f.kind}, not a directory`
    : f.reason === 'symlink' ? 'it is a symbolic link that does not lead to a directory; clfsload does not create through it'
      : f.reason === 'parent-not-a-directory' ? `${f.path} is ${f.kind}, not a directory`
        : f.reason === 'permission-denied' ? `${at}permission denied (${f.code})`
          : f.reason === 'read-only' ? `${at}read-only file system`
            : f.reason === 'cannot-create-there' ? `${at}it cannot be created there (no such file or directory)`
              : f.reason === 'replaced' ? `${at}it was replaced while being created; nothing was changed in it`
                : `${at}cannot create it (${f.code})`;
  return new StateError('CLFS_STATE_OPEN', `cannot open state directory ${dir}: ${what}`, 'error' in f ? { cause: f.error } : undefined);
}

function openError(dir: string, err: unknown): StateError {
  const e = err as NodeJS.ErrnoException;
  const what = e.code === 'ENOENT' ? 'it cannot be created there (no such file or directory)'
    : e.code === 'ENOTDIR' ? 'it or a parent is not a directory'
      : e.code === 'EACCES' || e.code === 'EPERM' ? `permission denied (${e.code})` : e.message;
  return new StateError('CLFS_STATE_OPEN', `cannot open state directory ${dir}: ${what}`, { cause: err });
}
