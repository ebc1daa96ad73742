/**
 * A second opinion on a container's content, independent of clfsload's reader (src/read) and
 * loader: the container is walked with the pure codec only (names, envelope, handles, objects;
 * §13 of the spec), the source with plain `fs` calls (snapshotTree), and the two descriptions are
 * compared: names, types (from the VATTR mode bits, checked against the btype), modes, owners,
 * sizes, file bytes, symlink targets, device numbers. A bug shared by the writer and by
 * verify/export would pass those; it does not pass this.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  Btype, FILE_SEGMENT_BYTES, FIRST_SEGMENT_BYTES, ROOT_ID, decodeObject, idHex, idPrefix, openBlob, parseBlobName, v2Name,
  type ClfsObject, type InodeObject,
} from '../../src/format/index.js';
import { listAll, type BlobStore } from '../../src/store/blob-store.js';
import { openStore } from '../../src/store/open-store.js';
import { snapshotTree, type NodeType } from './tree.js';

/** Where the blobs come from: names and bytes, nothing else. */
export interface BlobSource {
  names(): Promise<string[]>;
  get(name: string): Promise<Uint8Array>;
}

/** A container held as one file per blob (a local-directory destination, a fixture); temp files skipped. */
export function dirBlobs(dir: string): BlobSource {
  return {
    names: async () => readdirSync(dir).filter((n) => !n.startsWith('.')),
    get: async (name) => readFileSync(path.join(dir, name)),
  };
}

/** Any store, through its own list and get. */
export function storeBlobs(store: BlobStore): BlobSource {
  return {
    names: async () => {
      const names: string[] = [];
      for await (const b of listAll(store)) names.push(b.name);
      return names;
    },
    get: (name) => store.get(name),
  };
}

/** One entry of a tree, as both walks describe it. `path` uses snapshotTree's spelling. */
export interface Described {
  path: string;
  type: NodeType | 'dangling';
  perm?: number;
  uid?: number;
  gid?: number;
  /** regular files only */
  size?: bigint;
  sha256?: string;
  /** symlinks: the target's bytes, hex */
  target?: string;
  /** devices: major:minor */
  dev?: string;
  /** what makes two names one object: the filehandle, or dev:ino in the source */
  object?: string;
}

const TYPE_BY_IFMT: Record<number, NodeType> = {
  0o040000: 'dir', 0o100000: 'file', 0o120000: 'symlink', 0o010000: 'fifo', 0o020000: 'chr', 0o060000: 'blk', 0o140000: 'sock',
};
const BTYPE_OF: Record<NodeType, number> = {
  dir: Btype.DIR, file: Btype.REG, symlink: Btype.LNK, fifo: Btype.FIFO, chr: Btype.CHR, blk: Btype.BLK, sock: Btype.SOCK,
};

function spell(name: Uint8Array): string {
  const b = Buffer.from(name.buffer, name.byteOffset, name.byteLength);
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : `<hex:${b.toString('hex')}>`;
}

/** glibc major/minor of a dev_t, written out here rather than taken from the codec. */
function majorMinor(rdev: bigint): string {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n);
  return `${major}:${minor}`;
}

/**
 * Describes the tree a container holds, reading only blob names and bytes through the codec.
 * Structural faults (a missing segment, lengths that do not add up, mode bits that disagree with
 * the btype) go into `faults`; an entry whose inode blob is missing is described as 'dangling'.
 */
export async function describeContainer(blobs: BlobSource): Promise<{ entries: Described[]; faults: string[] }> {
  const names = await blobs.names();
  const faults: string[] = [];
  // §13.3: the newest version of each id's inode (tmp names, V1 and log blobs aside)
  const newest = new Map<string, { name: string; version: number }>();
  for (const name of names) {
    const p = parseBlobName(name);
    if (p.kind !== 'v2' || p.tmp || p.btype === Btype.SEGMENT || p.btype === Btype.INDIRECT) continue;
    const key = name.slice(0, name.indexOf('.') + 1);
    const had = newest.get(key);
    if (!had || had.version < p.version) newest.set(key, { name, version: p.version });
  }
  const load = async (name: string): Promise<ClfsObject> => decodeObject(openBlob(await blobs.get(name), name).payload, name);
  const inodeOf = async (id: Uint8Array): Promise<InodeObject | undefined> => {
    const hit = newest.get(idPrefix(id));
    if (!hit) return undefined;
    const obj = await load(hit.name);
    if (obj.kind !== 'inode') throw new Error(`${hit.name} is a ${obj.kind}, not an inode`);
    return obj;
  };
  /** §8.3/§8.4: segment ids in order, direct slots then trees 0..3 depth-first; `limit` stops early. */
  const segmentIds = async (owner: Uint8Array, ino: InodeObject, limit = Infinity): Promise<Uint8Array[]> => {
    const ids = ino.bmap.direct.slice(1, 1 + Math.min(limit, ino.bmap.direct.length));
    const walk = async (id: Uint8Array, depth: number, leafDepth: number): Promise<void> => {
      const blk = await load(v2Name({ id, btype: Btype.INDIRECT, owner, version: 9 }));
      if (blk.kind !== 'indirect') throw new Error(`indirect block ${idHex(id)} is a ${blk.kind}`);
      for (const p of blk.pointers) {
        if (ids.length >= limit) return;
        if (depth === leafDepth) ids.push(p);
        else await walk(p, depth + 1, leafDepth);
      }
    };
    for (const [t, root] of ino.bmap.indirectRoots.entries()) {
      if (ids.length < limit && root.some((b) => b !== 0)) await walk(root, 0, t);
    }
    return ids;
  };
  const segment = async (owner: Uint8Array, id: Uint8Array): Promise<ClfsObject> => load(v2Name({ id, btype: Btype.SEGMENT, owner, version: 9 }));

  const entries: Described[] = [];
  const open = new Set<string>(); // directories on the current path: a cycle is a fault, not a hang
  const visit = async (rel: string, id: Uint8Array): Promise<void> => {
    let ino: InodeObject | undefined;
    try {
      ino = await inodeOf(id);
    } catch (e) {
      faults.push(`${rel}: ${(e as Error).message}`);
      return;
    }
    if (!ino) return void entries.push({ path: rel, type: 'dangling', object: idHex(id) });
    const v = ino.vattr;
    const type = TYPE_BY_IFMT[v.mode & 0o170000];
    if (!type) return void faults.push(`${rel}: mode ${v.mode.toString(8)} has no file type bits`);
    if (BTYPE_OF[type] !== v.btype) faults.push(`${rel}: mode says ${type}, btype is ${v.btype}`);
    const d: Described = { path: rel, type, perm: v.mode & 0o7777, uid: v.uid, gid: v.gid, object: idHex(id) };
    entries.push(d);
    try {
      if (type === 'file') {
        d.size = v.length;
        const nseg = v.length <= BigInt(FIRST_SEGMENT_BYTES) ? 0 : Number((v.length - BigInt(FIRST_SEGMENT_BYTES) + BigInt(FILE_SEGMENT_BYTES) - 1n) / BigInt(FILE_SEGMENT_BYTES));
        const hash = createHash('sha256').update(ino.data ?? new Uint8Array(0));
        let total = BigInt(ino.data?.length ?? 0);
        const ids = await segmentIds(id, ino, nseg);
        if (ids.length !== nseg) faults.push(`${rel}: ${ids.length} segments for length ${v.length} (${nseg} expected)`);
        for (const sid of ids) {
          const seg = await segment(id, sid);
          if (seg.kind !== 'file-segment') throw new Error(`segment ${idHex(sid)} is a ${seg.kind}`);
          hash.update(seg.data);
          total += BigInt(seg.data.length);
        }
        if (total !== v.length) faults.push(`${rel}: data adds up to ${total} bytes, VATTR length is ${v.length}`);
        d.sha256 = hash.digest('hex');
      } else if (type === 'symlink') {
        d.target = Buffer.from(ino.data ?? new Uint8Array(0)).toString('hex');
      } else if (type === 'chr' || type === 'blk') {
        d.dev = `${v.rdevMajor}:${v.rdevMinor}`;
      } else if (type === 'dir') {
        if (open.has(idHex(id))) return void faults.push(`${rel}: a directory entry leads back to an ancestor`);
        open.add(idHex(id));
        const all = [...(ino.entries ?? [])];
        for (const sid of await segmentIds(id, ino)) {
          const seg = await segment(id, sid);
          if (seg.kind !== 'dir-segment') throw new Error(`segment ${idHex(sid)} is a ${seg.kind}`);
          all.push(...seg.entries);
        }
        const [dot, dotdot] = all;
        if (spell(dot?.name ?? new Uint8Array()) !== '.' || spell(dotdot?.name ?? new Uint8Array()) !== '..') faults.push(`${rel}: entries do not start with . and ..`);
        for (const e of all.slice(2)) await visit(rel === '.' ? spell(e.name) : `${rel}/${spell(e.name)}`, e.fh);
        open.delete(idHex(id));
      }
    } catch (e) {
      faults.push(`${rel}: ${(e as Error).message}`);
    }
  };
  await visit('.', ROOT_ID);
  return { entries: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), faults };
}

/** Describes a source tree with plain fs calls (lstat, readdir, readFile, readlink). */
export function describeSource(dir: string): Described[] {
  return snapshotTree(dir).map((n) => {
    const d: Described = { path: n.path, type: n.type, perm: n.perm, uid: n.uid, gid: n.gid, object: n.inode };
    if (n.type === 'file') Object.assign(d, { size: n.size, sha256: n.sha256 });
    if (n.type === 'symlink') d.target = n.target;
    if (n.type === 'chr' || n.type === 'blk') d.dev = majorMinor(n.rdev ?? 0n);
    return d;
  });
}

export interface IndependentOptions {
  /** source paths that must not be in the container's tree (entries that failed); what is below them too */
  exclude?: string[];
  /** compare owners (default true) */
  owners?: boolean;
  /** 'preserve': names sharing a source inode share one object, and no others; 'fold': no two names share one */
  hardlinks?: 'preserve' | 'fold';
}

/** Differences between two descriptions, as readable lines; empty means equal. */
export function diffDescriptions(expected: Described[], actual: Described[], opts: IndependentOptions = {}): string[] {
  const out: string[] = [];
  const excluded = (p: string) => (opts.exclude ?? []).some((x) => p === x || p.startsWith(`${x}/`));
  const exp = new Map(expected.filter((e) => !excluded(e.path)).map((e) => [e.path, e]));
  const act = new Map(actual.map((a) => [a.path, a]));
  for (const [p, e] of exp) {
    const a = act.get(p);
    if (!a) { out.push(`${p}: missing`); continue; }
    const fields: (keyof Described)[] = ['type', 'perm', 'size', 'sha256', 'target', 'dev'];
    if (opts.owners ?? true) fields.push('uid', 'gid');
    const show = (f: keyof Described, v: unknown) => (f === 'perm' && typeof v === 'number' ? `0${v.toString(8)}` : String(v));
    for (const f of fields) if (a[f] !== e[f]) out.push(`${p}: ${f} ${show(f, a[f])} != ${show(f, e[f])}`);
  }
  for (const p of act.keys()) if (!exp.has(p) && !excluded(p)) out.push(`${p}: unexpected`);
  if (opts.hardlinks) {
    const groups = (ds: Described[]) => {
      const by = new Map<string, string[]>();
      for (const d of ds) if (d.type !== 'dir' && d.object && !excluded(d.path)) by.set(d.object, [...(by.get(d.object) ?? []), d.path]);
      return JSON.stringify([...by.values()].filter((g) => g.length > 1).map((g) => g.sort()).sort());
    };
    const ga = groups(actual);
    const ge = opts.hardlinks === 'preserve' ? groups(expected) : '[]';
    if (ga !== ge) out.push(`names sharing one object: ${ga} != ${ge}`);
  }
  return out;
}

/**
 * Differences between the source tree `src` and what the container at `location` (a local
 * directory or a store URL) holds, read with the codec only; empty means equal. The container's
 * structural faults are differences too.
 */
export async function independentDiff(location: string | BlobSource, src: string, opts: IndependentOptions = {}): Promise<string[]> {
  let blobs: BlobSource;
  let close: (() => Promise<void>) | undefined;
  if (typeof location !== 'string') blobs = location;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && statSync(location, { throwIfNoEntry: false })?.isDirectory()) blobs = dirBlobs(location);
  else {
    const store = openStore(location);
    blobs = storeBlobs(store);
    close = store.close?.bind(store);
  }
  try {
    const { entries, faults } = await describeContainer(blobs);
    return [...faults, ...diffDescriptions(describeSource(src), entries, opts)];
  } finally {
    await close?.();
  }
}
