import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { runBlobStoreConformance } from './conformance.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'clfs-local-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

// fsync off keeps the 5,000-blob paging test fast; local-dir-extra.test.ts covers the fsync path.
runBlobStoreConformance('local directory', async () => new LocalDirStore(mkdtempSync(path.join(root, 'c-')), { fsync: false }), {
  makeMissingStore: async () => new LocalDirStore(path.join(root, `missing-${n++}`)),
});
