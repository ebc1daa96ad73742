/**
 * Ceilings clfsload is compared against, measured on the same tree in the same run:
 * - "raw upload": the blobs a CLFS load of the tree writes (one PUT per inode, per 8 MiB file segment,
 *   per 256 KiB directory segment), with the same sizes and names of the same form and length, PUT
 *   with @azure/storage-blob and no CLFS work;
 * - "cp -a": a copy of the source tree to another directory on the same disk.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import type { TreeSpec } from './trees.js';
import { v2Name } from '../src/format/names.js';

// Sizes from the spec (../shared/docs/clfs-format.md §8, §9, §12) and the sizes of its Appendix A objects.
const INLINE_BYTES = 16384;
const FILE_SEGMENT_BYTES = 8388608;
const DIR_INLINE_LIMIT = 16360;
const DIR_SEGMENT_BYTES = 262144;
const FILE_INODE_OVERHEAD = 400; // A.5.1: a file inode with empty DATA is 400 bytes
const DIR_INODE_OVERHEAD = 448; // A.5.2
const SEGMENT_OVERHEAD = 104; // A.5.4
const DIRENT_FIXED = 6; // u32 nameLen + u16 fhLen
const FH_BYTES = 24;
const BUCKET_OBJECT_BYTES = 168; // A.5.7

/** Sizes of the blobs an uncompressed CLFS load of `spec` writes (log blobs left out). */
export function blobPlan(spec: TreeSpec): number[] {
  const sizes: number[] = [BUCKET_OBJECT_BYTES];
  const entryBytes = new Map<string, number>([['', 2 * (DIRENT_FIXED + 2) + 2 * 16]]); // '.' and '..' of the root
  const addEntry = (dir: string, name: string): void => {
    entryBytes.set(dir, (entryBytes.get(dir) ?? 0) + DIRENT_FIXED + Buffer.byteLength(name) + FH_BYTES);
  };
  const ensureDir = (dir: string): void => {
    if (entryBytes.has(dir)) return;
    const parent = path.dirname(dir) === '.' ? '' : path.dirname(dir);
    ensureDir(parent);
    addEntry(parent, path.basename(dir));
    entryBytes.set(dir, 2 * (DIRENT_FIXED + 2 + FH_BYTES));
  };
  for (const g of spec.groups) {
    ensureDir(g.dir);
    const width = String(g.files - 1).length;
    for (let i = 0; i < g.files; i++) {
      addEntry(g.dir, `${g.prefix}${String(i).padStart(width, '0')}`);
      sizes.push(FILE_INODE_OVERHEAD + Math.min(g.size, INLINE_BYTES));
      for (let rest = g.size - INLINE_BYTES; rest > 0; rest -= FILE_SEGMENT_BYTES) {
        sizes.push(SEGMENT_OVERHEAD + Math.min(rest, FILE_SEGMENT_BYTES));
      }
    }
  }
  for (const bytes of entryBytes.values()) {
    // Pieces are cut at entry boundaries; this approximates them by byte count.
    sizes.push(DIR_INODE_OVERHEAD + Math.min(bytes, DIR_INLINE_LIMIT));
    for (let rest = bytes - DIR_INLINE_LIMIT; rest > 0; rest -= DIR_SEGMENT_BYTES) {
      sizes.push(SEGMENT_OVERHEAD + Math.min(rest, DIR_SEGMENT_BYTES));
    }
  }
  return sizes;
}

/**
 * A blob name of the form a load writes (§4.4, 113 characters), for random ids. Azurite's cost per
 * PUT grows with the name: 5,052 PUTs of 4 KiB ran at 584 and 532 PUT/s named `raw-<i>`, at 470
 * and 434 PUT/s with names like these (same Azurite, same sizes, alternating runs).
 */
export function blobNameLike(): string {
  return v2Name({ id: randomBytes(24), btype: 2, owner: randomBytes(24), version: 9 });
}

/**
 * PUTs one blob per entry of `sizes` into the container with `concurrency` requests in flight;
 * returns the seconds taken (the measured ceiling runs it as a child process: measureCommand
 * times that and takes its CPU and RSS).
 */
export async function rawUpload(containerUrl: string, sizes: number[], concurrency: number): Promise<number> {
  const container = new ContainerClient(containerUrl);
  const source = randomBytes(Math.max(0, ...sizes));
  const names = sizes.map(() => blobNameLike());
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < sizes.length; i = next++) {
      await container.getBlockBlobClient(names[i]).upload(source.subarray(0, sizes[i]), sizes[i]);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, sizes.length) }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A prefix of `sizes` small enough for a quick concurrency probe. */
export function probeSample(sizes: number[], maxCount: number, maxBytes: number): number[] {
  let bytes = 0;
  let n = 0;
  while (n < sizes.length && n < maxCount && bytes + sizes[n] <= maxBytes) bytes += sizes[n++];
  return sizes.slice(0, Math.max(n, Math.min(sizes.length, 16)));
}

export interface Probe {
  concurrency: number;
  seconds: number;
}

/**
 * Tries each concurrency on the sample, each in its own fresh container (deleted afterwards),
 * and returns every try plus the fastest.
 */
export async function probeConcurrency(
  sample: number[],
  candidates: number[],
  container: { create(): Promise<{ url: string; dispose(): Promise<void> }> },
): Promise<{ best: number; tries: Probe[] }> {
  const tries: Probe[] = [];
  for (const concurrency of candidates) {
    const c = await container.create();
    try {
      tries.push({ concurrency, seconds: await rawUpload(c.url, sample, concurrency) });
    } finally {
      await c.dispose();
    }
  }
  const best = tries.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { best: best.concurrency, tries };
}
