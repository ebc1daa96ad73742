/**
 * A compact index of a container listing (§13 step 1): every blob classified once; V2 names
 * grouped by id so "the newest blob for an id" is a map lookup instead of a prefix listing.
 */
import { parseBlobName } from '../format/index.js';
import type { BlobInfo } from '../store/blob-store.js';

export type BlobKind = 'v1' | 'v2' | 'other' | 'bad';

/** One listed blob. Fields that do not apply to its kind are '' / -1. */
export interface IndexedBlob {
  name: string;
  size: number;
  kind: BlobKind;
  idHex: string;
  btype: number;
  ownerHash: string;
  version: number;
  tmp: boolean;
  hashOk: boolean;
  /** why a V1/V2-shaped name did not parse (kind 'bad') */
  error?: string;
}

/** Classifies one listed name; never throws (bad names become kind 'bad'). */
export function classifyBlob(info: BlobInfo): IndexedBlob {
  const base: IndexedBlob = { name: info.name, size: info.size, kind: 'other', idHex: '', btype: -1, ownerHash: '', version: -1, tmp: false, hashOk: true };
  try {
    const p = parseBlobName(info.name);
    if (p.kind === 'v2') return { ...base, kind: 'v2', idHex: p.idHex, btype: p.btype, ownerHash: p.ownerHash, version: p.version, tmp: p.tmp, hashOk: p.hashOk };
    if (p.kind === 'v1') return { ...base, kind: 'v1', idHex: p.idHex, version: p.version, hashOk: p.hashOk };
    return base;
  } catch (err) {
    return { ...base, kind: 'bad', error: (err as Error).message };
  }
}

export class NameIndex {
  /** every blob by name, in listing order */
  readonly byName = new Map<string, IndexedBlob>();
  /** non-tmp V2 blobs by id hex, in listing order */
  private readonly byId = new Map<string, IndexedBlob[]>();

  add(info: BlobInfo): IndexedBlob {
    const b = classifyBlob(info);
    this.byName.set(b.name, b);
    if (b.kind === 'v2' && !b.tmp) {
      const list = this.byId.get(b.idHex);
      if (list) list.push(b);
      else this.byId.set(b.idHex, [b]);
    }
    return b;
  }

  get(name: string): IndexedBlob | undefined {
    return this.byName.get(name);
  }

  /** All non-tmp V2 names of an id, listing order. */
  versions(idHex: string): readonly IndexedBlob[] {
    return this.byId.get(idHex) ?? [];
  }

  /** The highest version of an id (first listed wins a tie, as the reference's cleanup keeps it, §11.4). */
  latest(idHex: string): IndexedBlob | undefined {
    return pickLatest(this.versions(idHex));
  }

  get size(): number {
    return this.byName.size;
  }
}

/** Highest version; on equal versions the first in the list. */
export function pickLatest<T extends { version: number }>(list: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const b of list) if (!best || b.version > best.version) best = b;
  return best;
}
