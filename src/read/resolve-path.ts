/** Resolving a `/`-separated path (relative to the root) to an inode, one directory scan per component. */
import { ROOT_ID, idsEqual } from '../format/index.js';
import type { Container, InodeObject } from './container.js';
import { directoryEntries } from './dir-entries.js';
import { typeOfBtype } from './entry-kind.js';
import { ReadError } from './read-error.js';

export interface ResolvedNode {
  /** normalized path ('' = root) */
  path: string;
  id: Uint8Array;
  blob: string;
  inode: InodeObject;
}

/** Splits a user path into components; `.` and empty components are dropped, `..` is refused. */
export function pathComponents(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ReadError('CLFS_READ_NOT_FOUND', '".." is not supported in container paths', { path });
  return parts;
}

/** Finds the inode a path names; CLFS_READ_NOT_FOUND / CLFS_READ_NOT_A_DIRECTORY when it does not resolve. */
export async function resolvePath(c: Container, path: string): Promise<ResolvedNode> {
  let id: Uint8Array = ROOT_ID;
  let { name: blob, inode } = await c.readInode(ROOT_ID, '/');
  const done: string[] = [];
  for (const part of pathComponents(path)) {
    const here = done.join('/');
    if (typeOfBtype(inode.vattr.btype) !== 'dir') throw new ReadError('CLFS_READ_NOT_A_DIRECTORY', 'not a directory', { path: here });
    const want = Buffer.from(part, 'utf8');
    let child: Uint8Array | undefined;
    for await (const e of directoryEntries(c, id, inode, here)) {
      if (idsEqual(e.name, want)) {
        child = e.fh;
        break;
      }
    }
    done.push(part);
    if (!child) throw new ReadError('CLFS_READ_NOT_FOUND', 'no such file or directory', { path: done.join('/') });
    id = child;
    ({ name: blob, inode } = await c.readInode(id, done.join('/')));
  }
  return { path: done.join('/'), id, blob, inode };
}
