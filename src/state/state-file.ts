/**
 * Files in the state directory, opened with O_NOFOLLOW from the directory's descriptor and
 * checked with fstat after open (a regular file of ours, one link) before a byte is read or
 * written or a mode changed: a symlink or hard link planted there never redirects the job.
 */
import { closeSync, constants as C, fchmodSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { StateError } from '../errors.js';
import { checkJobFile, type StateDir } from './state-dir.js';

export type StateFileUse = 'read' | 'append' | 'write' | 'create';

// O_NONBLOCK: opening a FIFO planted under a state file's name must fail the checks, not hang
const SAFE = C.O_NOFOLLOW | C.O_NONBLOCK;
const FLAGS: Record<StateFileUse, number> = {
  read: C.O_RDONLY | SAFE,
  append: C.O_WRONLY | C.O_APPEND | C.O_CREAT | SAFE,
  // no O_TRUNC: the file is truncated through the descriptor only once it passed the checks
  write: C.O_WRONLY | C.O_CREAT | SAFE,
  create: C.O_RDONLY | C.O_CREAT | SAFE,
};

/** A StateDir, or a directory path opened just for this call (callers holding only a path). */
type DirLike = StateDir | string;

function withDir<T>(dir: DirLike, fn: (at: (name: string) => string, shown: string) => T): T {
  if (typeof dir !== 'string') return fn((n) => dir.at(n), dir.path);
  const fd = openSync(dir, C.O_RDONLY | C.O_DIRECTORY);
  try {
    return fn((n) => `/proc/self/fd/${fd}/${n}`, dir);
  } finally {
    closeSync(fd);
  }
}

/** Opens `name` in the state dir as `use` says; returns the descriptor (mode 0600 when written). */
export function openStateFile(dir: DirLike, name: string, use: StateFileUse): number {
  return withDir(dir, (at, shown) => {
    let fd: number;
    try {
      fd = openSync(at(name), FLAGS[use], 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
        throw new StateError('CLFS_STATE_UNSAFE', `state file ${path.join(shown, name)} is a symbolic link; clfsload does not follow links in its state directory. Remove it (or use a new --state-path) and run the command again`, { cause: err });
      }
      throw err;
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      checkJobFile(shown, name, st);
      if (use !== 'read' && (Number(st.mode) & 0o777) !== 0o600) fchmodSync(fd, 0o600);
      if (use === 'write') ftruncateSync(fd, 0);
      return fd;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  });
}

export function readStateFile(dir: DirLike, name: string): Buffer {
  const fd = openStateFile(dir, name, 'read');
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeStateFile(dir: DirLike, name: string, data: Uint8Array): void {
  const fd = openStateFile(dir, name, 'write');
  try {
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
  } finally {
    closeSync(fd);
  }
}

/** Removes `name` if present (unlink never follows a link). */
export function removeStateFile(dir: DirLike, name: string): void {
  withDir(dir, (at) => {
    try {
      unlinkSync(at(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  });
}

/** The identity of an open state file, to check afterwards that SQLite opened that very file. */
export function fileIdentity(fd: number): BigIntStats {
  return fstatSync(fd, { bigint: true });
}

/**
 * Creates (0600) or checks `name` through the directory's descriptor, never through a planted
 * link, and returns its identity for assertOpenedSame once SQLite has opened it by path.
 */
export function prepareForSqlite(dir: DirLike, name: string): BigIntStats {
  const fd = openStateFile(dir, name, 'create');
  try {
    return fileIdentity(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * SQLite opens its files by path and resolves symlinks itself, so after it opened `shown` this
 * checks that one of the process's descriptors is the file we checked (same dev:ino).
 */
export function assertOpenedSame(expected: BigIntStats, shown: string): void {
  for (const n of readdirSync('/proc/self/fd')) {
    try {
      const st = statSync(`/proc/self/fd/${n}`, { bigint: true });
      if (st.dev === expected.dev && st.ino === expected.ino) return;
    } catch {
      // a descriptor closed meanwhile (or the one of the listing): not ours
    }
  }
  throw new StateError('CLFS_STATE_UNSAFE', `state file ${shown} was replaced while clfsload opened it; nothing was written to it`);
}
