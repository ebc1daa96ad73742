/** An in-memory BlobStore for tests: same semantics as the real stores, no I/O. */
import { blobOverLimit, type BlobInfo, type BlobPage, type BlobStore, type ListOptions } from './blob-store.js';
import { compareUtf8, firstIndexAfter, lowerBound } from './utf8-order.js';
import { storeError, throwIfAborted } from './store-errors.js';

export interface MemoryStoreOptions {
  description?: string;
  /** false simulates a missing container: every operation throws CLFS_STORE_CONTAINER_MISSING */
  containerExists?: boolean;
  /** largest page listPage returns (Azure's is 5000) */
  maxPageSize?: number;
}

export class MemoryStore implements BlobStore {
  readonly description: string;
  private readonly blobs = new Map<string, Uint8Array>();
  private sorted: string[] | undefined;
  private readonly exists: boolean;
  private readonly maxPageSize: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.description = options.description ?? 'memory store';
    this.exists = options.containerExists ?? true;
    this.maxPageSize = options.maxPageSize ?? 5000;
  }

  /** Number of blobs held (tests). */
  get size(): number {
    return this.blobs.size;
  }

  async listPage(options: ListOptions = {}): Promise<BlobPage> {
    this.check(options.signal);
    const names = this.sortedNames();
    const prefix = options.prefix ?? '';
    const limit = Math.max(1, Math.min(options.pageSize ?? this.maxPageSize, this.maxPageSize));
    let i = Math.max(firstIndexAfter(names, options.continuation), lowerBound(names, prefix));
    const items: BlobInfo[] = [];
    for (; i < names.length && items.length < limit; i++) {
      if (!names[i].startsWith(prefix)) break;
      items.push({ name: names[i], size: this.blobs.get(names[i])!.length });
    }
    const more = i < names.length && names[i].startsWith(prefix);
    return more ? { items, continuation: items[items.length - 1].name } : { items };
  }

  async get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    this.check(signal);
    const data = this.blobs.get(name);
    if (!data) throw storeError('CLFS_STORE_NOT_FOUND', `${this.description}: blob not found: ${name}`, { blob: name, status: 404 });
    if (maxBytes !== undefined && data.length > maxBytes) throw blobOverLimit(name, data.length, maxBytes);
    return new Uint8Array(data);
  }

  async put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.check(signal);
    if (!this.blobs.has(name)) this.sorted = undefined;
    this.blobs.set(name, new Uint8Array(data));
  }

  // check and set in one synchronous step: no other call can run between them
  async putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    this.check(signal);
    if (this.blobs.has(name)) return false;
    this.sorted = undefined;
    this.blobs.set(name, new Uint8Array(data));
    return true;
  }

  async delete(name: string, signal?: AbortSignal): Promise<boolean> {
    this.check(signal);
    const had = this.blobs.delete(name);
    if (had) this.sorted = undefined;
    return had;
  }

  async head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    this.check(signal);
    const data = this.blobs.get(name);
    return data ? { name, size: data.length } : undefined;
  }

  async checkAccess(signal?: AbortSignal): Promise<void> {
    this.check(signal);
  }

  private check(signal: AbortSignal | undefined): void {
    throwIfAborted(signal);
    if (!this.exists) throw storeError('CLFS_STORE_CONTAINER_MISSING', `${this.description}: container does not exist`, { status: 404 });
  }

  private sortedNames(): string[] {
    this.sorted ??= [...this.blobs.keys()].sort(compareUtf8);
    return this.sorted;
  }
}
