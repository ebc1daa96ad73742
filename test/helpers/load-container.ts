/** Structural descriptions of a container's blob set, to compare ours with the reference's. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listAll, type BlobStore } from '../../src/store/blob-store.js';
import { decodeObject, openBlob, parseBlobName, BUCKET_NAME, INPROGRESS_ID, hash64Hex } from '../../src/format/index.js';

export interface ContainerShape {
  /** v2 blob counts by btype (inodes of each type, 8 = segments, 9 = indirect blocks) */
  byBtype: Record<number, number>;
  /** v2 blob counts by version */
  byVersion: Record<number, number>;
  v1: number;
  tmp: number;
  inProgress: number;
  /** bucket keys without the logfileNNN ones */
  bucketKeys: string[];
  /** logfileNNN values */
  logBlobs: string[];
  /** blobs that are neither V1 nor V2 (log files) */
  other: string[];
}

const INPROGRESS_HASH = hash64Hex(INPROGRESS_ID);

/** Describes a container held as one file per blob in `dir`. */
export function containerShape(dir: string): ContainerShape {
  return shapeOf(readdirSync(dir), new Uint8Array(readFileSync(path.join(dir, BUCKET_NAME))));
}

/** Describes any store's container. */
export async function storeShape(store: BlobStore): Promise<ContainerShape> {
  const names: string[] = [];
  for await (const b of listAll(store)) names.push(b.name);
  return shapeOf(names, await store.get(BUCKET_NAME));
}

/** Names of every blob in a store. */
export async function storeNames(store: BlobStore): Promise<string[]> {
  const names: string[] = [];
  for await (const b of listAll(store)) names.push(b.name);
  return names.sort();
}

function shapeOf(names: string[], bucketBlob: Uint8Array): ContainerShape {
  const s: ContainerShape = { byBtype: {}, byVersion: {}, v1: 0, tmp: 0, inProgress: 0, bucketKeys: [], logBlobs: [], other: [] };
  for (const name of [...names].sort()) {
    const p = parseBlobName(name);
    if (p.kind === 'v1') s.v1++;
    else if (p.kind === 'v2') {
      if (p.tmp) { s.tmp++; continue; }
      s.byBtype[p.btype] = (s.byBtype[p.btype] ?? 0) + 1;
      s.byVersion[p.version] = (s.byVersion[p.version] ?? 0) + 1;
      if (p.ownerHash === INPROGRESS_HASH) s.inProgress++;
    } else s.other.push(name);
  }
  const bucket = decodeObject(openBlob(bucketBlob).payload);
  if (bucket.kind !== 'bucket') throw new Error('bucket object is not a bucket');
  for (const [k, v] of bucket.attrs) {
    if (/^logfile\d{3,}$/.test(k)) s.logBlobs.push(v);
    else s.bucketKeys.push(k);
  }
  return s;
}
