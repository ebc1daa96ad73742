/**
 * The narrow blob-store interface every backend implements (local directory, Azure, memory),
 * and every wrapper (retry, rate limit, fault injection) composes around.
 * Errors are StoreError (src/errors.ts): a missing blob is CLFS_STORE_NOT_FOUND.
 */
import { FormatError, StoreError } from '../errors.js';

/** One listed blob. */
export interface BlobInfo {
  name: string;
  size: number;
}

/** One page of a listing; pass `continuation` back to get the next page. */
export interface BlobPage {
  items: BlobInfo[];
  continuation?: string;
}

export interface ListOptions {
  /** only names starting with this prefix */
  prefix?: string;
  /** page size hint (backends may return fewer) */
  pageSize?: number;
  continuation?: string;
  signal?: AbortSignal;
}

/** Bytes of an open local file, for a store that can copy them without reading them (putFileRange). */
export interface FileRange {
  /** the file's descriptor, open until the put settles */
  fd: number;
  offset: number;
  length: number;
  /** the caller's error for a failure to read the file (the source's fault, not the store's) */
  readError(err: unknown): Error;
}

export interface BlobStore {
  /** A description for messages, never containing a secret (no SAS). */
  readonly description: string;
  /** One page of blob names in lexicographic (UTF-8 byte) order. */
  listPage(options?: ListOptions): Promise<BlobPage>;
  /**
   * Whole blob contents; throws CLFS_STORE_NOT_FOUND if absent. With `maxBytes`, a blob bigger than
   * that is refused (FormatError CLFS_LIMIT naming it, see `blobOverLimit`) by its size before its
   * bytes are read where the store knows the size (fstat, Content-Length), and in any case before
   * more than `maxBytes + 1` bytes are held: a listing may understate a blob's size.
   */
  get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array>;
  /**
   * Writes (creates or overwrites) a blob. An overwrite is atomic: readers see the old or the new
   * bytes, never a mix. A new blob may be visible, partly written, before the promise resolves
   * (LocalDirStore with `fsync: false`; a put cut short by a crash can leave it so).
   * `data` is not kept once the promise settles: the loader reuses the buffer for the next segment.
   */
  put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void>;
  /**
   * Creates a blob only if no blob of that name exists, atomically (two callers racing on one name:
   * exactly one gets true). Resolves true when this call created it, false when the name was taken
   * (nothing written). The blob appears whole or not at all, and is durable when the call resolves,
   * in every store (no sync() needed): the loader claims a destination with it (its bucket object),
   * and a resume after a power loss relies on finding it. A wrapper that retries must not turn its
   * own landed first try into false.
   */
  putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean>;
  /** Deletes a blob; deleting a missing blob is not an error (returns false). */
  delete(name: string, signal?: AbortSignal): Promise<boolean>;
  /** Size of a blob, or undefined if absent. */
  head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined>;
  /** Checks the container exists and is reachable with the credentials held (throws otherwise). */
  checkAccess(signal?: AbortSignal): Promise<void>;
  /**
   * Optional, for stores on the local file system: a put of `head`, then `range`'s bytes of an open
   * file, then `tail`, with put's guarantees, the file's bytes copied inside the kernel instead of
   * through our memory. Resolves to the bytes of the range copied: fewer than its length only when
   * the file ended early (it shrank), and then nothing of this put is left. A failure to read the
   * file is thrown as `range.readError` makes it. Wrappers have it only where their inner store does.
   */
  putFileRange?(name: string, head: Uint8Array, range: FileRange, tail: Uint8Array, signal?: AbortSignal): Promise<number>;
  /** Releases connections or handles; optional, wrappers forward it. */
  close?(): Promise<void>;
  /**
   * Durability barrier: resolves once every put and delete that resolved before the call survives
   * a power loss. Stores whose puts are durable when they resolve (Azure) leave it out, and
   * wrappers have it only when their inner store does (forwardSync).
   */
  sync?(): Promise<void>;
}

/** A wrapper's sync: the inner store's, bound, or none (the loader checkpoints only stores that need it). */
export function forwardSync(inner: BlobStore): (() => Promise<void>) | undefined {
  return inner.sync ? () => inner.sync!() : undefined;
}

/**
 * Lists every blob (all pages), optionally under a prefix. A continuation marker the store already
 * gave us would list the same pages forever (a broken or hostile endpoint): that is a StoreError.
 */
export async function* listAll(store: BlobStore, options: Omit<ListOptions, 'continuation'> = {}): AsyncGenerator<BlobInfo> {
  let continuation: string | undefined;
  const seen = new Set<string>(); // markers are short; one per page (thousands of names)
  do {
    const page = await store.listPage({ ...options, continuation });
    yield* page.items;
    continuation = page.continuation;
    if (continuation !== undefined && seen.has(continuation)) {
      throw new StoreError('CLFS_STORE_BAD_LISTING', `${store.description}: the listing repeats a continuation marker after ${seen.size} page(s); it would never end`);
    }
    if (continuation) seen.add(continuation);
  } while (continuation);
}

/**
 * The error of a get over its `maxBytes`: `size` when the store knows it, else only that it is
 * bigger. The same code and wording as the readers' own size check (src/read/blob-limit.ts).
 */
export function blobOverLimit(name: string, size: number | undefined, maxBytes: number): FormatError {
  const what = size === undefined ? `blob of more than ${maxBytes} bytes` : `blob of ${size} bytes`;
  return new FormatError('CLFS_LIMIT', `${what}, over the ${maxBytes}-byte limit of this read; not read`, { blob: name });
}
