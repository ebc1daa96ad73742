/**
 * An opened CLFS container: where the root and bucket object are, how to find an inode by id
 * (§13), and bounded-concurrency blob reads decoded through the codec.
 */
import { BUCKET_NAME, ROOT_ID, ROOT_PREFIX, TMP_ROOT_NAME, decodeObject, idHex, idPrefix, openBlob } from '../format/index.js';
import type { ClfsObject, InodeObject } from '../format/index.js';
import { FormatError, StoreError } from '../errors.js';
import { payloadLooksTruncated } from './truncation.js';
import { listAll, type BlobStore } from '../store/blob-store.js';
import { Budget } from '../util/budget.js';
import { NameIndex, classifyBlob, pickLatest } from './name-index.js';
import { ReadError } from './read-error.js';

export type { InodeObject };

export interface OpenOptions {
  /** GETs in flight at once (default 16) */
  concurrency?: number;
  /** 'full' lists the whole container once (verify, export); 'lazy' lists one id prefix per lookup (ls, cat) */
  index?: 'full' | 'lazy';
  signal?: AbortSignal;
}

/** Where the root lives. `finalized` is false when only the `tmp` root exists (load not finalized, §4.6). */
export interface RootLocation {
  name: string;
  version: number;
  finalized: boolean;
}

/** Running totals of what this container handle has read (for summaries). */
export interface ReadCounters {
  blobs: number;
  storedBytes: number;
  payloadBytes: number;
}

export class Container {
  readonly limiter: Budget;
  readonly counters: ReadCounters = { blobs: 0, storedBytes: 0, payloadBytes: 0 };
  private constructor(
    readonly store: BlobStore,
    readonly index: NameIndex | undefined,
    readonly root: RootLocation | undefined,
    readonly tmpRootPresent: boolean,
    readonly bucketPresent: boolean,
    concurrency: number,
    readonly signal: AbortSignal | undefined,
  ) {
    this.limiter = new Budget(concurrency);
  }

  /** Lists (fully or just the root prefix) and locates the root. Never throws on a missing root: check `root`. */
  static async open(store: BlobStore, options: OpenOptions = {}): Promise<Container> {
    const concurrency = options.concurrency ?? 16;
    const signal = options.signal;
    if (options.index === 'lazy') {
      const rootNames = [];
      for await (const info of listAll(store, { prefix: ROOT_PREFIX, signal })) rootNames.push(classifyBlob(info));
      const latest = pickLatest(rootNames.filter((b) => b.kind === 'v2'));
      const tmp = (await store.head(TMP_ROOT_NAME, signal)) !== undefined;
      const bucket = (await store.head(BUCKET_NAME, signal)) !== undefined;
      return new Container(store, undefined, locateRoot(latest, tmp), tmp, bucket, concurrency, signal);
    }
    const index = new NameIndex();
    for await (const info of listAll(store, { signal })) index.add(info);
    const latest = index.latest(idHex(ROOT_ID));
    const tmp = index.get(TMP_ROOT_NAME) !== undefined;
    return new Container(store, index, locateRoot(latest, tmp), tmp, index.get(BUCKET_NAME) !== undefined, concurrency, signal);
  }

  /** The root location, or a CLFS_READ_NO_ROOT error. */
  requireRoot(): RootLocation {
    if (!this.root) throw new ReadError('CLFS_READ_NO_ROOT', `${this.store.description}: no root inode (not a CLFS container, or the load never got far)`);
    return this.root;
  }

  /** Raw bytes of one blob, through the concurrency limit. */
  getBlob(name: string): Promise<Uint8Array> {
    return this.limiter.run(() => this.store.get(name, this.signal));
  }

  /** Reads and decodes one object blob; a missing blob is CLFS_READ_MISSING_BLOB, bad bytes a FormatError. */
  async readObject(name: string): Promise<ClfsObject> {
    let bytes: Uint8Array;
    try {
      bytes = await this.getBlob(name);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'CLFS_STORE_NOT_FOUND') throw new ReadError('CLFS_READ_MISSING_BLOB', 'blob is missing', { blob: name, cause: err });
      throw err;
    }
    this.counters.blobs++;
    this.counters.storedBytes += bytes.length;
    const { payload } = openBlob(bytes, name);
    this.counters.payloadBytes += 4 + payload.length;
    try {
      return decodeObject(payload, name);
    } catch (err) {
      if (err instanceof FormatError && err.code !== 'CLFS_TRUNCATED' && payloadLooksTruncated(payload)) {
        throw new FormatError('CLFS_TRUNCATED', `payload ends inside a handle (${payload.length} bytes): the blob is truncated`, { blob: name, cause: err });
      }
      throw err;
    }
  }

  /** Name of the newest inode blob of `id` (§13 step 3), or undefined. */
  async findInode(id: Uint8Array): Promise<string | undefined> {
    if (this.index) return this.index.latest(idHex(id))?.name;
    const found = [];
    for await (const info of listAll(this.store, { prefix: idPrefix(id), signal: this.signal })) {
      const b = classifyBlob(info);
      if (b.kind === 'v2' && !b.tmp) found.push(b);
    }
    return pickLatest(found)?.name;
  }

  /** Reads the inode object of `id` (the root through its located name). */
  async readInode(id: Uint8Array, path?: string): Promise<{ name: string; inode: InodeObject }> {
    const name = idHex(id) === idHex(ROOT_ID) ? this.requireRoot().name : await this.findInode(id);
    if (!name) throw new ReadError('CLFS_READ_MISSING_BLOB', `no inode blob for id ${idHex(id)}`, { path });
    const obj = await this.readObject(name);
    if (obj.kind !== 'inode') throw new ReadError('CLFS_READ_BAD_STRUCTURE', `expected an inode, found a ${obj.kind} object`, { blob: name, path });
    return { name, inode: obj };
  }
}

function locateRoot(latest: { name: string; version: number } | undefined, tmp: boolean): RootLocation | undefined {
  if (latest) return { name: latest.name, version: latest.version, finalized: true };
  if (tmp) return { name: TMP_ROOT_NAME, version: 9, finalized: false };
  return undefined;
}
