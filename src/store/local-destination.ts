/**
 * Creates a local destination directory (and its missing parents) one component at a time.
 * Not Node's mkdir {recursive: true}: on procfs (`/proc/sys/x`) it loops forever at 100 % CPU,
 * and its failures (a file in the way, a parent that is a file, no permission) surface as raw
 * errno errors. Here each is one StoreError line (exit 3) naming the path.
 */
import { mkdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { storeError } from './store-errors.js';

export function makeLocalDestination(dir: string): void {
  const target = path.resolve(dir);
  const missing: string[] = [];
  // the deepest existing ancestor; everything below it is created, top down
  for (let cur = target; ; cur = path.dirname(cur)) {
    const st = statOrMissing(cur, target);
    if (st) {
      if (!st.isDirectory()) throw notDirectory(cur, target, st);
      break;
    }
    if (path.dirname(cur) === cur) throw failed(target, cur, 'ENOENT');
    missing.push(cur);
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, 0o777);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      // created meanwhile by someone else: fine if it is a directory
      if (code === 'EEXIST') {
        const st = statOrMissing(d, target);
        if (st?.isDirectory()) continue;
        if (st) throw notDirectory(d, target, st);
      }
      throw failed(target, d, code);
    }
  }
}

function statOrMissing(p: string, target: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    // ENOTDIR: a component above is not a directory; walking up finds it and names it
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw failed(target, p, code);
  }
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a directory';
}

function notDirectory(p: string, target: string, st: Stats) {
  const what = p === target ? `destination ${target} exists and is ${kindOf(st)}, not a directory` : `destination ${target}: ${p} is ${kindOf(st)}, not a directory`;
  return storeError('CLFS_STORE_IO', what);
}

function failed(target: string, p: string, code: string) {
  const at = p === target ? `destination ${target}` : `destination ${target}: ${p}`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return storeError('CLFS_STORE_AUTH', `${at}: permission denied (cannot create the directory)`);
    case 'EROFS':
      return storeError('CLFS_STORE_AUTH', `${at}: read-only file system (cannot create the directory)`);
    case 'ENOTDIR':
      return storeError('CLFS_STORE_IO', `${at}: a component of the path is not a directory`);
    case 'ENOENT':
      // the parent exists (we checked) yet refuses the name: procfs, sysfs and the like
      return storeError('CLFS_STORE_IO', `${at}: cannot create a directory there (ENOENT: the file system does not allow it)`);
    default:
      return storeError('CLFS_STORE_IO', `${at}: cannot create the directory (${code})`);
  }
}
