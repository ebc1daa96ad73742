/**
 * Creates a local destination directory (and its missing parents) with util/make-dirs.ts, not
 * Node's mkdir {recursive: true} (on procfs, `/proc/sys/x`, it loops forever at 100 % CPU). Each
 * failure (a file in the way, a parent that is a file, no permission) is one StoreError line
 * (exit 3) naming the path.
 */
import { closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeDirs, type MakeDirsFailure } from '../util/make-dirs.js';
import { storeError } from './store-errors.js';

export function makeLocalDestination(dir: string): void {
  const target = path.resolve(dir);
  // an existing directory is used as named (a symlink the user gave is followed, as the store does)
  if (isDirectory(target)) return;
  const r = makeDirs(target, 0o777);
  if (!r.ok) throw failed(target, r.failure);
  closeSync(r.fd);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function failed(target: string, f: MakeDirsFailure) {
  const at = f.path === target ? `destination ${target}` : `destination ${target}: ${f.path}`;
  switch (f.reason) {
    case 'not-a-directory':
      return storeError('CLFS_STORE_IO', `destination ${target} exists and is ${f.kind}, not a directory`);
    case 'symlink':
      return storeError('CLFS_STORE_IO', `destination ${target} is a symbolic link that does not lead to a directory; clfsload does not create through it`);
    case 'parent-not-a-directory':
      return storeError('CLFS_STORE_IO', `destination ${target}: ${f.path} is ${f.kind}, not a directory`);
    case 'permission-denied':
      return storeError('CLFS_STORE_AUTH', `${at}: permission denied (cannot create the directory)`);
    case 'read-only':
      return storeError('CLFS_STORE_AUTH', `${at}: read-only file system (cannot create the directory)`);
    case 'cannot-create-there':
      // the parent exists yet refuses the name: procfs, sysfs and the like
      return storeError('CLFS_STORE_IO', `${at}: cannot create a directory there (ENOENT: the file system does not allow it)`);
    case 'replaced':
      return storeError('CLFS_STORE_IO', `${at}: replaced by something else while being created; left alone`);
    case 'other':
      return storeError('CLFS_STORE_IO', `${at}: cannot create the directory (${f.code})`);
  }
}
