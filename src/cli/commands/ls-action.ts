/** What `clfsload ls` does (loaded when the command runs: other commands never pay its modules). */
import { Ftype, idHex, isRootId } from '../../format/index.js';
import type { Container } from '../../read/container.js';
import type { InodeObject } from '../../format/index.js';
import { directoryEntries } from '../../read/dir-entries.js';
import { displayName, joinPath, typeOfBtype } from '../../read/entry-kind.js';
import { listDirectory } from '../../read/list-dir.js';
import { resolvePath } from '../../read/resolve-path.js';
import { openReadContainer } from '../read-open.js';
import { writeOut } from '../output-stream.js';
import { longLine } from '../output-ls.js';

export interface LsOptions {
  recursive?: boolean;
  long?: boolean;
}

/** Lists one directory; returns its subdirectories (for -R). */
async function listOne(c: Container, id: Uint8Array, inode: InodeObject, path: string, opts: LsOptions): Promise<{ id: Uint8Array; path: string }[]> {
  const subdirs: { id: Uint8Array; path: string }[] = [];
  if (opts.long) {
    for await (const e of listDirectory(c, id, inode, path)) {
      await writeOut(longLine(displayName(e.name), e.inode) + '\n');
      if (e.type === 'dir' && opts.recursive) subdirs.push({ id: e.id, path: e.path });
    }
  } else {
    // names only: no inode reads; the child's type comes from its filehandle (§13 step 5)
    for await (const e of directoryEntries(c, id, inode, path)) {
      const name = displayName(e.name);
      await writeOut(name + '\n');
      if (opts.recursive && (isRootId(e.fh) || (e.fh.length === 24 && e.fh[6] === Ftype.DIR))) subdirs.push({ id: e.fh, path: joinPath(path, name) });
    }
  }
  return subdirs;
}

export async function lsAction(location: string, path: string, opts: LsOptions): Promise<void> {
  const c = await openReadContainer(location, { index: 'lazy' });
  const node = await resolvePath(c, path);
  if (typeOfBtype(node.inode.vattr.btype) !== 'dir') {
    await writeOut((opts.long ? longLine(node.path, node.inode) : node.path) + '\n');
    return;
  }
  // depth first, like ls -R: a directory's listing, then each subdirectory's
  const stack = [{ id: node.id, path: node.path, inode: node.inode as InodeObject | undefined }];
  const seen = new Set<string>(); // a damaged container may name a directory twice (or an ancestor)
  let first = true;
  while (stack.length > 0) {
    const dir = stack.pop()!;
    if (seen.has(idHex(dir.id))) continue;
    seen.add(idHex(dir.id));
    const inode = dir.inode ?? (await c.readInode(dir.id, dir.path)).inode;
    if (opts.recursive) await writeOut(`${first ? '' : '\n'}${dir.path === '' ? '.' : dir.path}:\n`);
    first = false;
    const subdirs = await listOne(c, dir.id, inode, dir.path, opts);
    for (const s of subdirs.reverse()) stack.push({ ...s, inode: undefined });
  }
}
