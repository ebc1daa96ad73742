/** Test helpers around BlobStores: bounded-concurrency mapping and copying a fixture container into a store. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { BlobStore } from '../../src/store/blob-store.js';
import { referenceDir } from './paths.js';

/** Runs fn over items with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Puts every regular file of `dir` into `store` as a blob of the same name; returns the names copied. */
export async function copyDirToStore(dir: string, store: BlobStore, concurrency = 16): Promise<string[]> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile()).map((e) => e.name);
  await mapLimit(names, concurrency, async (name) => store.put(name, await fsp.readFile(path.join(dir, name))));
  return names;
}

/** Copies a reference fixture container (../shared/fixtures/reference/<variant>/container) into `store`. */
export function copyFixtureToStore(variant: string, store: BlobStore, concurrency = 16): Promise<string[]> {
  return copyDirToStore(path.join(referenceDir, variant, 'container'), store, concurrency);
}
