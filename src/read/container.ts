/**
 * An opened CLFS container: where the root and bucket object are, how to find an inode by id
 * (§13), and bounded-concurrency blob reads decoded through the codec.
 */
import { BUCKET_NAME, ROOT_ID, ROOT_PREFIX, TMP_ROOT_NAME, decodeObject, idHex, idPrefix, idsEqual, openBlob } from '../format/index.js';
import type { ClfsObject, InodeObject } from '../format/index.js';
import { FormatError, StoreError } from '../errors.js';
import { payloadLooksTruncated } from './truncation.js';
import { listAll, type BlobStore } from '../store/blob-store.js';
import { Budget } from '../util/budget.js';
import { NameIndex, classifyBlob, pickLatest } from './name-index.js';
import { ReadError } from './read-error.js';
import { checkStoredSize, MAX_STORED_BLOB_BYTES } from './blob-limit.js';

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
  /** stored size as listed (undefined for the tmp root, found by HEAD) */
  size?: number;
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

  /**
   * Raw bytes of one blob, through the concurrency limit. A blob too big to hold a CLFS object is
   * refused (CLFS_LIMIT) by its listed size (`size`, else the full index, else a HEAD) before the
   * GET, and by the bytes received after it (the blob may have grown since it was listed).
   */
  getBlob(name: string, size?: number): Promise<Uint8Array> {
    return this.limiter.run(async () => {
      let known = size ?? this.index?.get(name)?.size;
      if (known === undefined) {
        const info = await this.store.head(name, this.signal);
        if (!info) throw new StoreError('CLFS_STORE_NOT_FOUND', `${this.store.description}: ${name}: blob not found`, { blob: name });
        known = info.size;
      }
      checkStoredSize(name, known, 'blob of');
      // the store stops at the cap too: the listed or HEAD size may understate what it serves
      const bytes = await this.store.get(name, this.signal, MAX_STORED_BLOB_BYTES);
      checkStoredSize(name, bytes.length, 'blob grew to');
      return bytes;
    });
  }

  /** Reads and decodes one object blob; a missing blob is CLFS_READ_MISSING_BLOB, bad bytes a FormatError. */
  async readObject(name: string, size?: number): Promise<ClfsObject> {
    let bytes: Uint8Array;
    try {
      bytes = await this.getBlob(name, size);
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
    return (await this.findInodeBlob(id))?.name;
  }

  /** The newest inode blob of `id` with its listed size, or undefined. */
  private async findInodeBlob(id: Uint8Array): Promise<{ name: string; size: number } | undefined> {
    if (this.index) return this.index.latest(idHex(id));
    const found = [];
    for await (const info of listAll(this.store, { prefix: idPrefix(id), signal: this.signal })) {
      const b = classifyBlob(info);
      if (b.kind === 'v2' && !b.tmp) found.push(b);
    }
    return pickLatest(found);
  }

  /**
   * Reads the inode object of `id` (the root through its located name). The object must carry
   * that id in direct[0] (§8): otherwise the blob holds another object (swapped or misnamed blobs),
   * and returning it would hand out another file's bytes. That is a FormatError naming the blob.
   */
  async readInode(id: Uint8Array, path?: string): Promise<{ name: string; inode: InodeObject }> {
    const blob = idHex(id) === idHex(ROOT_ID) ? this.requireRoot() : await this.findInodeBlob(id);
    if (!blob) throw new ReadError('CLFS_READ_MISSING_BLOB', `no inode blob for id ${idHex(id)}`, { path });
    const { name } = blob;
    const obj = await this.readObject(name, blob.size);
    if (obj.kind !== 'inode') throw new FormatError('CLFS_BAD_OBJECT', `expected an inode, found a ${obj.kind} object`, { blob: name });
    const own = obj.bmap.direct[0];
    if (!own || !idsEqual(own, id)) {
      throw new FormatError('CLFS_BAD_OBJECT', `holds the inode of id ${own ? idHex(own) : '(none)'}, not ${idHex(id)} (swapped or misnamed blob)`, { blob: name });
    }
    return { name, inode: obj };
  }
}

function locateRoot(latest: { name: string; version: number; size: number } | undefined, tmp: boolean): RootLocation | undefined {
  if (latest) return { name: latest.name, version: latest.version, finalized: true, size: latest.size };
  if (tmp) return { name: TMP_ROOT_NAME, version: 9, finalized: false };
  return undefined;
}
