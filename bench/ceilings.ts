/**
 * Ceilings clfsload is compared against, measured on the same tree in the same run:
 * - "raw upload": the blobs clfsload's load of that row wrote (the names and sizes listed in its
 *   destination afterwards, so LZ4 rows upload the compressed sizes), PUT through clfsload's own
 *   AzureStore with no CLFS work, from a bundle that loads the SDK bundle the CLI loads;
 * - "cp -a": a copy of the source tree to another directory on the same disk.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { TreeSpec } from './trees.js';
import { AzureStore } from '../src/store/azure-store.js';
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
const ROOT_FH_BYTES = 16; // the root's well-known id (§1.1)
const BUCKET_OBJECT_BYTES = 168; // A.5.7

/** §9.2: the byte sizes of a directory's pieces (piece 0 inline, then segments); no entry crosses a piece. */
export function directoryPieces(entrySizes: number[]): number[] {
  const pieces: number[] = [];
  let limit = DIR_INLINE_LIMIT;
  let cur = 0;
  for (const s of entrySizes) {
    if (cur > 0 && cur + s > limit) {
      pieces.push(cur);
      cur = 0;
      limit = DIR_SEGMENT_BYTES;
    }
    cur += s;
  }
  pieces.push(cur);
  return pieces;
}

/**
 * Sizes of the CLFS objects an uncompressed load of `spec` writes (log blobs left out): the bucket
 * object, one inode per file and directory, one segment per 8 MiB of a file past its first 16 KiB
 * (§8.1) and one per directory piece past the first (§9.2). The count is exact for the bench's
 * trees (files under 8 GiB: no indirect blocks); the sizes are close, not exact (attribute
 * encodings vary a little), and count for the concurrency probe only.
 */
export function blobPlan(spec: TreeSpec): number[] {
  const sizes: number[] = [BUCKET_OBJECT_BYTES];
  const dirent = (name: string, fh: number): number => DIRENT_FIXED + Buffer.byteLength(name) + fh;
  const entries = new Map<string, number[]>([['', [dirent('.', ROOT_FH_BYTES), dirent('..', ROOT_FH_BYTES)]]]);
  const ensureDir = (dir: string): void => {
    if (entries.has(dir)) return;
    const parent = path.dirname(dir) === '.' ? '' : path.dirname(dir);
    ensureDir(parent);
    entries.get(parent)!.push(dirent(path.basename(dir), FH_BYTES));
    entries.set(dir, [dirent('.', FH_BYTES), dirent('..', parent === '' ? ROOT_FH_BYTES : FH_BYTES)]);
  };
  for (const g of spec.groups) {
    ensureDir(g.dir);
    const width = String(g.files - 1).length;
    const list = entries.get(g.dir)!;
    for (let i = 0; i < g.files; i++) {
      list.push(dirent(`${g.prefix}${String(i).padStart(width, '0')}`, FH_BYTES));
      sizes.push(FILE_INODE_OVERHEAD + Math.min(g.size, INLINE_BYTES));
      for (let rest = g.size - INLINE_BYTES; rest > 0; rest -= FILE_SEGMENT_BYTES) {
        sizes.push(SEGMENT_OVERHEAD + Math.min(rest, FILE_SEGMENT_BYTES));
      }
    }
  }
  for (const list of entries.values()) {
    const [inline, ...segments] = directoryPieces(list);
    sizes.push(DIR_INODE_OVERHEAD + inline);
    for (const piece of segments) sizes.push(SEGMENT_OVERHEAD + piece);
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

/** One blob to upload: a name and a size (the listing of a load's destination, or a probe sample). */
export interface PlannedBlob {
  name: string;
  size: number;
}

/**
 * PUTs every blob of `blobs` into the container with `concurrency` requests in flight, through
 * clfsload's own AzureStore (same SDK pipeline and policies, same keep-alive agent, one Put Blob
 * per blob, no retries) and no CLFS work; returns the seconds taken (the measured ceiling runs it
 * as a child process: measureCommand times that and takes its CPU and RSS).
 */
export async function rawUpload(containerUrl: string, blobs: PlannedBlob[], concurrency: number): Promise<number> {
  // No idle timeout to speak of: with no RetryingStore above it, one slow answer from a loaded
  // Azurite would fail the ceiling (clfsload retries it). The timer itself is still set per call.
  const store = new AzureStore(containerUrl, { idleTimeoutMs: 30 * 60_000 });
  const source = randomBytes(Math.max(0, ...blobs.map((b) => b.size)));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < blobs.length; i = next++) {
      await store.put(blobs[i].name, source.subarray(0, blobs[i].size));
    }
  };
  const start = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, blobs.length) }, worker));
  } finally {
    await store.close();
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Blobs of the given sizes with load-like names, for the concurrency probe. */
export function plannedLike(sizes: number[]): PlannedBlob[] {
  return sizes.map((size) => ({ name: blobNameLike(), size }));
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
      tries.push({ concurrency, seconds: await rawUpload(c.url, plannedLike(sample), concurrency) });
    } finally {
      await c.dispose();
    }
  }
  const best = tries.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { best: best.concurrency, tries };
}
