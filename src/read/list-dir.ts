/** Listing one directory: each child with its inode, read with bounded parallelism, in directory order. */
import type { Container, InodeObject } from './container.js';
import { directoryEntries } from './dir-entries.js';
import { displayName, joinPath, typeOfBtype, type EntryType } from './entry-kind.js';
import { readAhead } from './read-ahead.js';

export interface ListedEntry {
  name: Uint8Array;
  /** display path relative to the root */
  path: string;
  id: Uint8Array;
  type: EntryType;
  inode: InodeObject;
}

/** Children of a directory in stored order (like `ls -U`), with up to `window` inode reads in flight. */
export async function* listDirectory(c: Container, dirId: Uint8Array, dir: InodeObject, dirPath: string, window = 16): AsyncGenerator<ListedEntry> {
  const fetch = async (e: { name: Uint8Array; fh: Uint8Array }): Promise<ListedEntry> => {
    const path = joinPath(dirPath, displayName(e.name));
    const { inode } = await c.readInode(e.fh, path);
    return { name: e.name, path, id: e.fh, type: typeOfBtype(inode.vattr.btype), inode };
  };
  yield* readAhead(directoryEntries(c, dirId, dir, dirPath), fetch, window);
}
