import { MemoryStore } from '../../src/store/memory-store.js';
import { runBlobStoreConformance } from './conformance.js';

runBlobStoreConformance('memory', async () => new MemoryStore(), {
  makeMissingStore: async () => new MemoryStore({ containerExists: false }),
});
