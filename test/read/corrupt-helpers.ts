/** Test helpers that damage a temp copy of a fixture container by re-encoding objects with the codec. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeObject, sealBlobSync } from '../../src/format/index.js';
import type { InodeObject } from '../../src/format/index.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { Container } from '../../src/read/container.js';
import { resolvePath } from '../../src/read/resolve-path.js';

/** Blob name of the inode at `p` in the container directory `dir`. */
export async function blobOf(dir: string, p: string): Promise<string> {
  const c = await Container.open(new LocalDirStore(dir), { index: 'lazy' });
  return (await resolvePath(c, p)).blob;
}

/** Rewrites the inode at `p` (same blob name, same compression) with `mutate` applied. */
export async function rewriteInode(dir: string, p: string, mutate: (inode: InodeObject) => InodeObject): Promise<void> {
  const c = await Container.open(new LocalDirStore(dir), { index: 'lazy' });
  const node = await resolvePath(c, p);
  const file = path.join(dir, node.blob);
  const compression = readFileSync(file)[2];
  writeFileSync(file, sealBlobSync(encodeObject(mutate(node.inode)), compression));
}

/** Renames entry `from` of directory `dirPath` to `to` (raw bytes of `to` as UTF-8). */
export async function renameEntry(dir: string, dirPath: string, from: string, to: string): Promise<void> {
  await rewriteInode(dir, dirPath, (inode) => {
    const entries = inode.entries!.map((e) => (Buffer.from(e.name).toString() === from ? { name: new Uint8Array(Buffer.from(to)), fh: e.fh } : e));
    assert.notDeepEqual(entries, inode.entries, `no entry ${from} in ${dirPath}`);
    return { ...inode, entries };
  });
}
