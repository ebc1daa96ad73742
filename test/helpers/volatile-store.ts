/**
 * A store with a page cache, for power-loss tests: puts and deletes change what readers see at
 * once, and reach the "disk" only at sync(). powerLoss() ends the machine: from then on every
 * call fails except put and delete, which resolve and do nothing (a dying machine acknowledged
 * them), and what it returns is what a reboot finds: the synced state, plus, for each blob changed
 * since the last sync, the old bytes, the new bytes or a torn write, as `writeback` picks.
 */
import { MemoryStore } from '../../src/store/memory-store.js';
import type { BlobInfo, BlobPage, BlobStore, ListOptions } from '../../src/store/blob-store.js';

/** What the kernel had written back of one blob changed since the last sync. */
export type Writeback = (name: string) => 'old' | 'new' | 'torn';

export class VolatileStore implements BlobStore {
  readonly description = 'volatile memory store';
  /** what readers see now (listing and reads) */
  private readonly live = new MemoryStore({ description: this.description });
  /** the same bytes, for the synchronous powerLoss() */
  private readonly now = new Map<string, Uint8Array>();
  /** what survives a power loss */
  private readonly synced: Map<string, Uint8Array>;
  private readonly changed = new Set<string>();
  private off = false;
  /** sync() calls that completed */
  syncs = 0;
  /** the next this many sync() calls fail like a writeback error (and lose what they were to write) */
  failSyncs = 0;

  private constructor(disk: ReadonlyMap<string, Uint8Array>) {
    this.synced = new Map(disk);
  }

  /** A machine booting with `disk` (the blobs a power loss left). */
  static async boot(disk: ReadonlyMap<string, Uint8Array> = new Map()): Promise<VolatileStore> {
    const store = new VolatileStore(disk);
    for (const [name, data] of disk) {
      await store.live.put(name, data);
      store.now.set(name, data);
    }
    return store;
  }

  private alive(): void {
    if (this.off) throw new Error('the machine is off');
  }

  async listPage(options?: ListOptions): Promise<BlobPage> {
    this.alive();
    return this.live.listPage(options);
  }
  async get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    this.alive();
    return this.live.get(name, signal, maxBytes);
  }
  async head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    this.alive();
    return this.live.head(name, signal);
  }
  async checkAccess(signal?: AbortSignal): Promise<void> {
    this.alive();
    return this.live.checkAccess(signal);
  }
  async put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.off) return;
    await this.live.put(name, data, signal);
    this.now.set(name, new Uint8Array(data)); // the loader reuses its buffers
    this.changed.add(name);
  }
  async putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    if (this.off) return true; // acknowledged by a dying machine, like put
    if (!(await this.live.putIfAbsent(name, data, signal))) return false;
    // durable at once (the BlobStore contract), so straight to the disk as well
    this.now.set(name, new Uint8Array(data));
    this.synced.set(name, new Uint8Array(data));
    this.changed.delete(name);
    return true;
  }
  async delete(name: string, signal?: AbortSignal): Promise<boolean> {
    if (this.off) return true;
    const had = await this.live.delete(name, signal);
    this.now.delete(name);
    this.changed.add(name);
    return had;
  }
  async sync(): Promise<void> {
    this.alive();
    if (this.failSyncs > 0) {
      this.failSyncs--;
      // what a failed writeback leaves: readers still see the data, the disk never gets it
      throw Object.assign(new Error('sync: Input/output error'), { code: 'EIO' });
    }
    for (const name of this.changed) {
      const data = this.now.get(name);
      if (data === undefined) this.synced.delete(name);
      else this.synced.set(name, data);
    }
    this.changed.clear();
    this.syncs++;
  }

  /** Cuts the power; returns the blobs a reboot finds. */
  powerLoss(writeback: Writeback): Map<string, Uint8Array> {
    const disk = new Map(this.synced);
    for (const name of [...this.changed].sort()) {
      const pick = writeback(name);
      if (pick === 'old') continue;
      const now = this.now.get(name);
      if (now === undefined) disk.delete(name);
      else disk.set(name, pick === 'new' ? now : now.subarray(0, Math.floor(now.length / 2)));
    }
    this.off = true;
    return disk;
  }

  /** Blobs changed since the last sync. */
  get unsynced(): number {
    return this.changed.size;
  }
}
