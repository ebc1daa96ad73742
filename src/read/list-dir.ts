/** Listing one directory: each child with its inode, read with bounded parallelism, in directory order. */
import { FormatError } from '../errors.js';
import type { Container, InodeObject } from './container.js';
import { directoryEntries } from './dir-entries.js';
import { typeOfBtype, type EntryType } from './entry-kind.js';
import { readAhead } from './read-ahead.js';
import { ReadError } from './read-error.js';

export interface ListedEntry {
  name: Uint8Array;
  id: Uint8Array;
  /** undefined when the inode could not be read (then `error` says why) */
  type?: EntryType;
  inode?: InodeObject;
  /**
   * Why this entry's inode could not be read: a dangling entry (CLFS_READ_MISSING_BLOB, normal after
   * a load that ended with failures) or a damaged inode blob. Only container damage is caught here;
   * store failures and aborts still end the listing.
   */
  error?: ReadError | FormatError;
}

/**
 * Children of a directory in stored order (like `ls -U`), with up to `window` inode reads in flight.
 * `dirPath` names the directory in errors about the directory itself (not per entry).
 */
export async function* listDirectory(c: Container, dirId: Uint8Array, dir: InodeObject, dirPath?: string, window = 16): AsyncGenerator<ListedEntry> {
  const fetch = async (e: { name: Uint8Array; fh: Uint8Array }): Promise<ListedEntry> => {
    try {
      const { inode } = await c.readInode(e.fh);
      return { name: e.name, id: e.fh, type: typeOfBtype(inode.vattr.btype), inode };
    } catch (err) {
      if (err instanceof ReadError || err instanceof FormatError) return { name: e.name, id: e.fh, error: err };
      throw err;
    }
  };
  yield* readAhead(directoryEntries(c, dirId, dir, dirPath), fetch, window);
}
