/**
 * Builds small synthetic containers in a MemoryStore with the codec, for shapes the reference
 * fixtures lack (a directory whose segments spill into indirect tree 0).
 */
import {
  BUCKET_NAME, BlockMapBuilder, Btype, Compression, DIR_SEGMENT_BYTES, Ftype, ROOT_ID, bucketAttrs, dirSegmentOffset, direntSize,
  encodeObject, generateFilehandle, newUuid4, rootExtattrs, rootName, sealBlobSync, uuidString, v2Name,
} from '../../src/format/index.js';
import type { Bmap, ClfsObject, Dirent, Vattr } from '../../src/format/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { cryptoRandomSource } from '../../src/util/random.js';

const random = cryptoRandomSource();
const CONTAINER_ID = 0x1234567n;
const T = { sec: 1600000000, nsec: 5000 };

export function vattr(btype: number, mode: number, length: bigint, nlink: number): Vattr {
  return { mode, btype, uid: 0, gid: 0, length, mtime: T, ctime: T, atime: T, used: length, fsid: 7n, fileid: 1n, rdevMajor: 0, rdevMinor: 0, nlink, containerId: CONTAINER_ID };
}

function fh(ftype: number, dmidSrc: number, dmidTgt: number, seq: bigint): Uint8Array {
  return generateFilehandle({ containerId: CONTAINER_ID, dmidSrc, dmidTgt, ftype, seq }, random);
}

async function put(store: MemoryStore, name: string, obj: ClfsObject): Promise<void> {
  await store.put(name, sealBlobSync(encodeObject(obj), Compression.LZ4));
}

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

/**
 * Root → `wide/` holding `files` empty files `f0000`…, one entry per piece: the inline piece
 * has `.`, `..` and f0000; segments 1…files−1 hold one entry each, so more than 1024 pieces use
 * indirect tree 0 (§9.2: the same trees as files). Returns the store and the names of its blobs.
 */
export async function wideDirectoryContainer(files: number): Promise<{ store: MemoryStore; wide: Uint8Array; indirectNames: string[] }> {
  const store = new MemoryStore();
  const wide = fh(Ftype.DIR, 0, 1, 1001n);
  const indirectNames: string[] = [];
  const builder = new BlockMapBuilder(wide, () => newUuid4(random));
  const writeIndirect = async (blocks: ReturnType<BlockMapBuilder['add']>): Promise<void> => {
    for (const b of blocks) {
      const name = v2Name({ id: b.id, btype: Btype.INDIRECT, owner: wide, version: 9 });
      indirectNames.push(name);
      await put(store, name, { kind: 'indirect', pointers: b.pointers, databack: { ctime: T.sec, offset: b.offset, owner: wide } });
    }
  };
  let length = 0n;
  const inline: Dirent[] = [{ name: bytes('.'), fh: wide }, { name: bytes('..'), fh: ROOT_ID }];
  for (let i = 0; i < files; i++) {
    const name = bytes(`f${String(i).padStart(4, '0')}`);
    const id = fh(Ftype.REG, 1, 1, 2000n + BigInt(i));
    await put(store, v2Name({ id, btype: Btype.REG, owner: wide, version: 9 }), {
      kind: 'inode', vattr: vattr(Btype.REG, 0o100644, 0n, 1), bmap: { firstSegmentBytes: 16384, otherSegmentBytes: 8388608, direct: [id], indirectRoots: [0, 1, 2, 3].map(() => new Uint8Array(16)) },
      back: [wide], name, data: new Uint8Array(0),
    });
    const entry = { name, fh: id };
    if (i === 0) {
      inline.push(entry);
      continue;
    }
    const seg = newUuid4(random);
    await put(store, v2Name({ id: seg, btype: Btype.SEGMENT, owner: wide, version: 9 }), { kind: 'dir-segment', entries: [entry], databack: { ctime: T.sec, offset: dirSegmentOffset(i), owner: wide } });
    length += BigInt(4 + direntSize(entry.name, entry.fh));
    await writeIndirect(builder.add(seg));
  }
  await writeIndirect(builder.finish());
  length += BigInt(4 + inline.reduce((s, e) => s + direntSize(e.name, e.fh), 0));
  const bmap: Bmap = builder.bmap(DIR_SEGMENT_BYTES);
  await put(store, v2Name({ id: wide, btype: Btype.DIR, owner: ROOT_ID, version: 9 }), { kind: 'inode', vattr: vattr(Btype.DIR, 0o040755, length, 2), bmap, name: bytes('wide'), entries: inline });
  const rootEntries: Dirent[] = [{ name: bytes('.'), fh: ROOT_ID }, { name: bytes('..'), fh: ROOT_ID }, { name: bytes('wide'), fh: wide }];
  const rootLength = BigInt(4 + rootEntries.reduce((s, e) => s + direntSize(e.name, e.fh), 0));
  await put(store, rootName(), {
    kind: 'inode', vattr: vattr(Btype.DIR, 0o040755, rootLength, 3), bmap: { firstSegmentBytes: 16384, otherSegmentBytes: DIR_SEGMENT_BYTES, direct: [ROOT_ID], indirectRoots: [0, 1, 2, 3].map(() => new Uint8Array(16)) },
    name: bytes('synthetic'), entries: rootEntries, extattrs: rootExtattrs(uuidString(newUuid4(random)), uuidString(newUuid4(random))),
  });
  await store.put('output.txt', new Uint8Array(Buffer.from('log\n')));
  await put(store, BUCKET_NAME, { kind: 'bucket', attrs: bucketAttrs(uuidString(newUuid4(random)), ['output.txt']) });
  return { store, wide, indirectNames };
}

export interface ChainEntry {
  name: Uint8Array;
  id: Uint8Array;
  /** the inode blob's name */
  blob: string;
}

/**
 * Root → a chain of `depth` directories, each holding the next one (named by `nameOf(level)`,
 * default `d`) and, with `files`, one empty file `f`. `extra` adds more entries to the root
 * (for hostile names; their inode is written unless `dangling`). Returns the chain's entries.
 */
export async function chainContainer(depth: number, options: { nameOf?: (level: number) => Uint8Array; files?: boolean; extra?: { name: Uint8Array; type: 'file' | 'dir'; dangling?: boolean }[] } = {}): Promise<{ store: MemoryStore; chain: ChainEntry[]; extra: ChainEntry[] }> {
  const store = new MemoryStore();
  const nameOf = options.nameOf ?? (() => bytes('d'));
  const chain: ChainEntry[] = [];
  let seq = 5000n;
  const emptyBmap = (id: Uint8Array, other: number): Bmap => ({ firstSegmentBytes: 16384, otherSegmentBytes: other, direct: [id], indirectRoots: [0, 1, 2, 3].map(() => new Uint8Array(16)) });
  const fileInode = async (name: Uint8Array, id: Uint8Array, parent: Uint8Array): Promise<string> => {
    const blob = v2Name({ id, btype: Btype.REG, owner: parent, version: 9 });
    await put(store, blob, { kind: 'inode', vattr: vattr(Btype.REG, 0o100644, 0n, 1), bmap: emptyBmap(id, 8388608), back: [parent], name, data: new Uint8Array(0) });
    return blob;
  };
  const dirInode = async (name: Uint8Array, id: Uint8Array, parent: Uint8Array, children: Dirent[]): Promise<string> => {
    const entries: Dirent[] = [{ name: bytes('.'), fh: id }, { name: bytes('..'), fh: parent }, ...children];
    const length = BigInt(4 + entries.reduce((s, e) => s + direntSize(e.name, e.fh), 0));
    const blob = v2Name({ id, btype: Btype.DIR, owner: parent, version: 9 });
    await put(store, blob, { kind: 'inode', vattr: vattr(Btype.DIR, 0o040755, length, 2 + children.filter((c) => c.fh[6] === Ftype.DIR).length), bmap: emptyBmap(id, DIR_SEGMENT_BYTES), name, entries });
    return blob;
  };
  const ids = Array.from({ length: depth }, () => fh(Ftype.DIR, 0, 1, seq++));
  for (let level = depth - 1; level >= 0; level--) {
    const parent = level === 0 ? ROOT_ID : ids[level - 1];
    const children: Dirent[] = [];
    if (level + 1 < depth) children.push({ name: nameOf(level + 1), fh: ids[level + 1] });
    if (options.files) {
      const f = fh(Ftype.REG, 1, 1, seq++);
      await fileInode(bytes('f'), f, ids[level]);
      children.push({ name: bytes('f'), fh: f });
    }
    chain[level] = { name: nameOf(level), id: ids[level], blob: await dirInode(nameOf(level), ids[level], parent, children) };
  }
  const extra: ChainEntry[] = [];
  for (const x of options.extra ?? []) {
    const id = fh(x.type === 'dir' ? Ftype.DIR : Ftype.REG, 1, 1, seq++);
    const blob = x.dangling ? '' : x.type === 'dir' ? await dirInode(x.name, id, ROOT_ID, []) : await fileInode(x.name, id, ROOT_ID);
    extra.push({ name: x.name, id, blob });
  }
  const rootEntries: Dirent[] = [{ name: bytes('.'), fh: ROOT_ID }, { name: bytes('..'), fh: ROOT_ID }, ...extra.map((x) => ({ name: x.name, fh: x.id }))];
  if (depth > 0) rootEntries.push({ name: chain[0].name, fh: chain[0].id });
  const rootLength = BigInt(4 + rootEntries.reduce((s, e) => s + direntSize(e.name, e.fh), 0));
  await put(store, rootName(), {
    kind: 'inode', vattr: vattr(Btype.DIR, 0o040755, rootLength, 3), bmap: emptyBmap(ROOT_ID, DIR_SEGMENT_BYTES),
    name: bytes('synthetic'), entries: rootEntries, extattrs: rootExtattrs(uuidString(newUuid4(random)), uuidString(newUuid4(random))),
  });
  await store.put('output.txt', new Uint8Array(Buffer.from('log\n')));
  await put(store, BUCKET_NAME, { kind: 'bucket', attrs: bucketAttrs(uuidString(newUuid4(random)), ['output.txt']) });
  return { store, chain, extra };
}

/** Writes a store's blobs as a local container directory (one file per blob), for CLI runs. */
export async function storeToDir(store: MemoryStore, dir: string): Promise<void> {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  mkdirSync(dir, { recursive: true });
  for await (const b of listAllNames(store)) writeFileSync(join(dir, b), await store.get(b));
}

async function* listAllNames(store: MemoryStore): AsyncGenerator<string> {
  let continuation: string | undefined;
  do {
    const page = await store.listPage({ continuation });
    for (const i of page.items) yield i.name;
    continuation = page.continuation;
  } while (continuation);
}
