/**
 * What a finished run must have written, checked by listing its destination: exit 0 alone does not
 * make a run count (a loader that skipped files, or an upload that lost PUTs, would still pass).
 */
import { readdirSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { parseBlobName } from '../src/format/names.js';
import type { Compression } from './rows.js';
import type { TreeTotals } from './trees.js';

export interface Listed {
  name: string;
  size: number;
}

/** The blobs of a local destination (a flat directory of blob files). */
export function listLocal(dir: string): Listed[] {
  return readdirSync(dir).map((name) => ({ name, size: lstatSync(path.join(dir, name)).size }));
}

const isClfsObject = (name: string): boolean => {
  try {
    return parseBlobName(name).kind !== 'other';
  } catch {
    return false;
  }
};

/**
 * Why a load's destination is not what the row must write, or undefined: exactly `objects` CLFS
 * objects (ceilings.ts blobPlan: the bucket, an inode per file and directory, the segments), no
 * `tmp` name left, no problems.txt (a failed entry), nothing else but its `.txt` logs, and with
 * compression off at least the source's bytes stored.
 */
export function checkLoadListing(listing: Listed[], objects: number, totals: TreeTotals, compression: Compression): string | undefined {
  const clfs = listing.filter((b) => isClfsObject(b.name));
  const others = listing.filter((b) => !isClfsObject(b.name));
  const tmp = clfs.filter((b) => b.name.startsWith('tmp'));
  if (tmp.length > 0) return `${tmp.length} tmp object(s) left, e.g. ${tmp[0].name}`;
  if (clfs.length !== objects) return `${clfs.length} CLFS objects written, the tree needs ${objects}`;
  if (others.some((b) => b.name === 'problems.txt')) return 'problems.txt written: some entries failed';
  const stray = others.find((b) => !b.name.endsWith('.txt'));
  if (stray) return `unexpected blob ${stray.name}`;
  const stored = clfs.reduce((a, b) => a + b.size, 0);
  if (compression === 'DISABLED' && stored < totals.bytes) return `${stored} bytes stored uncompressed, the source has ${totals.bytes}`;
  return undefined;
}

/** Why a raw upload's destination differs from what it was given to upload, or undefined: same names, same sizes. */
export function checkRawListing(listing: Listed[], planned: Listed[]): string | undefined {
  if (listing.length !== planned.length) return `${listing.length} blobs stored, ${planned.length} uploaded`;
  const sizes = new Map(listing.map((b) => [b.name, b.size]));
  const wrong = planned.find((b) => sizes.get(b.name) !== b.size);
  return wrong && `${wrong.name}: ${sizes.get(wrong.name) ?? 'missing'} bytes stored, ${wrong.size} uploaded`;
}

/** Files and their bytes under a copied tree, for `cp -a`: every file of the source must be there. */
export function checkCopy(target: string, totals: TreeTotals): string | undefined {
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  const walk = (dir: string): void => {
    dirs++;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        files++;
        bytes += lstatSync(p).size;
      }
    }
  };
  walk(target);
  if (files !== totals.files || dirs !== totals.dirs || bytes !== totals.bytes) {
    return `copy has ${files} files, ${dirs} dirs, ${bytes} bytes; the source ${totals.files}, ${totals.dirs}, ${totals.bytes}`;
  }
  return undefined;
}
