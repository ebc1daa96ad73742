/**
 * Turns a user-given location into a BlobStore: a local path or file:// URL → LocalDirStore; an
 * http(s):// container URL with a SAS → AzureStore. Messages never contain the SAS.
 */
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store.js';
import { AzureStore, type AzureStoreOptions } from './azure-store.js';
import { LocalDirStore, type LocalDirStoreOptions } from './local-dir-store.js';
import { redactUrl } from './redact.js';
import { storeError } from './store-errors.js';

export interface OpenStoreOptions {
  azure?: AzureStoreOptions;
  local?: LocalDirStoreOptions;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Opens the store a location names; malformed URLs or URLs without a SAS throw CLFS_STORE_BAD_URL. */
export function openStore(location: string, options: OpenStoreOptions = {}): BlobStore {
  const target = classify(location);
  return target.kind === 'local' ? new LocalDirStore(target.dir, options.local) : new AzureStore(location, options.azure);
}

/** A human description of the location with any secret removed. */
export function describeLocation(location: string): string {
  return SCHEME.test(location) && !/^file:/i.test(location) ? redactUrl(location) : location;
}

/**
 * A stable string naming the container without any SAS: `file://<absolute real path>` or
 * `azure://<host[:port]>/<path>` (lower-case host). Two locations naming the same container give the same string.
 */
export function containerIdentity(location: string): string {
  const target = classify(location);
  if (target.kind === 'local') {
    try {
      return `file://${realpathSync(target.dir)}`;
    } catch {
      return `file://${target.dir}`;
    }
  }
  return `azure://${target.url.host.toLowerCase()}${target.url.pathname.replace(/\/+$/, '')}`;
}

type Target = { kind: 'local'; dir: string } | { kind: 'azure'; url: URL };

function classify(location: string): Target {
  if (location.trim() === '') throw badUrl('empty store location');
  if (/^file:/i.test(location)) {
    try {
      return { kind: 'local', dir: path.resolve(fileURLToPath(location)) };
    } catch {
      throw badUrl(`malformed file URL: ${location}`);
    }
  }
  if (!SCHEME.test(location)) return { kind: 'local', dir: path.resolve(location) };
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw badUrl(`malformed container URL: ${redactUrl(location)}`);
  }
  const shown = redactUrl(location);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badUrl(`unsupported URL scheme ${url.protocol} in ${shown}`);
  // Plain http would send the SAS in clear text; only the local emulator may use it.
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) throw badUrl(`refusing plain http for a non-loopback host (use https): ${shown}`);
  const segments = url.pathname.split('/').filter(Boolean);
  const pathStyle = LOOPBACK.has(url.hostname) || /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (segments.length !== (pathStyle ? 2 : 1)) {
    throw badUrl(`expected a container URL like https://<account>.blob.core.windows.net/<container>?<SAS>, got ${shown}`);
  }
  if (!url.searchParams.get('sig')) throw badUrl(`container URL has no SAS token (append ?<SAS token> to the container URL): ${shown}`);
  return { kind: 'azure', url };
}

function badUrl(message: string) {
  return storeError('CLFS_STORE_BAD_URL', message);
}
