/** Opening a container for the read commands (verify, ls, cat, export): store, retries, reachability. */
import { openStore } from '../store/open-store.js';
import { RetryingStore } from '../store/retrying-store.js';
import type { BlobStore } from '../store/blob-store.js';
import { Container, type OpenOptions } from '../read/container.js';
import { ReadError } from '../read/read-error.js';
import { outputs } from './output-stream.js';

/** The store a location names, with transient failures retried; throws a StoreError if unreachable. */
export async function openReadStore(location: string, signal?: AbortSignal): Promise<BlobStore> {
  const store = new RetryingStore(openStore(location));
  // a one-item listing, not checkAccess(): that also demands write access, and reading needs none
  await store.listPage({ pageSize: 1, signal });
  return store;
}

/** Opens the container and requires a root (warning on stderr when the load was not finalized). */
export async function openReadContainer(location: string, options: OpenOptions = {}): Promise<Container> {
  const store = await openReadStore(location, options.signal);
  const c = await Container.open(store, options);
  if (!c.root) throw new ReadError('CLFS_READ_NO_ROOT', `${store.description}: no root inode (not a CLFS container, or the load never got far)`);
  if (!c.root.finalized) outputs.stderr.write('clfsload: warning: the load was not finalized; reading the tmp root\n');
  return c;
}
