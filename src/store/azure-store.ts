/**
 * A BlobStore over one Azure Blob Storage container addressed by a container URL with a SAS
 * (also Azurite: http://127.0.0.1:<port>/devstoreaccount1/<container>?<sas>).
 * The SDK's own retries are off (maxTries 1): retry policy belongs to RetryingStore.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { ContainerClient, RequestPolicyFactory } from '@azure/storage-blob';
import { blobOverLimit, type BlobInfo, type BlobPage, type BlobStore, type ListOptions } from './blob-store.js';
import { readStreamCapped } from './read-capped.js';
import { mapAzureError } from './azure-errors.js';
import { redactUrl } from './redact.js';
import { storeError, throwIfAborted } from './store-errors.js';
import { FormatError, StoreError } from '../errors.js';

export interface AzureStoreOptions {
  /** sockets the keep-alive agent may open (the loader keeps 64+ requests in flight); default 256 */
  maxSockets?: number;
  /**
   * a request is abandoned (retryable CLFS_STORE_UNAVAILABLE) after this long without progress — no
   * response yet, or no body bytes moving either way; default 60 s. Idle rather than total time, so an
   * 8 MiB upload on a slow link is not cut off while it is still moving.
   */
  idleTimeoutMs?: number;
  /** @deprecated the first name of `idleTimeoutMs` (kept: tests elsewhere use it) */
  baseTimeoutMs?: number;
}

/** Uploads above this size report progress (see put). */
const PROGRESS_BYTES = 256 * 1024;

export class AzureStore implements BlobStore {
  readonly description: string;
  /**
   * The SDK is imported on first use: loading it costs 40 ms from the CLI's bundle of it
   * (scripts/bundle-cli.mjs), 150-200 ms from node_modules, which a job on a local directory (or
   * `clfsload --help`) should not pay.
   */
  private readonly client: Promise<ContainerClient>;
  private readonly agent: http.Agent;
  private readonly idleTimeoutMs: number;

  constructor(containerUrl: string, options: AzureStoreOptions = {}) {
    this.description = `container ${redactUrl(containerUrl).replace(/\?.*$/, '')}`;
    const isHttps = new URL(containerUrl).protocol === 'https:';
    const agentOptions = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const };
    this.agent = isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.idleTimeoutMs = options.idleTimeoutMs ?? options.baseTimeoutMs ?? 60_000;
    const agent = this.agent;
    this.client = import('@azure/storage-blob').then(({ AnonymousCredential, ContainerClient, newPipeline }) => {
      const pipeline = newPipeline(new AnonymousCredential(), { retryOptions: { maxTries: 1 } });
      pipeline.factories.push(agentPolicyFactory(agent));
      const client = new ContainerClient(containerUrl, pipeline);
      dropFormDataPolicy(pipeline);
      return client;
    });
    this.client.catch(() => undefined); // surfaces at the first call instead of as an unhandled rejection
  }

  async listPage(options: ListOptions = {}): Promise<BlobPage> {
    return this.call('list', undefined, options.signal, async (abortSignal, _touch, client) => {
      const pages = client
        .listBlobsFlat({ prefix: options.prefix || undefined, abortSignal })
        .byPage({ continuationToken: options.continuation, maxPageSize: options.pageSize });
      const next = await pages.next();
      const value = next.done ? undefined : next.value;
      const items: BlobInfo[] = (value?.segment.blobItems ?? []).map((b) => ({ name: b.name, size: b.properties.contentLength ?? 0 }));
      const continuation = value?.continuationToken || undefined;
      return continuation ? { items, continuation } : { items };
    });
  }

  async get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    return this.call('get', name, signal, async (abortSignal, touch, client) => {
      const res = await client.getBlobClient(name).download(0, undefined, { abortSignal, maxRetryRequests: 0 });
      const stream = res.readableStreamBody as Readable | undefined;
      // refused by the announced length before the body is read (destroying the stream closes the
      // connection, so the rest is never received); the read itself stops past the cap
      if (maxBytes !== undefined && res.contentLength !== undefined && res.contentLength > maxBytes) {
        stream?.destroy();
        throw blobOverLimit(name, res.contentLength, maxBytes);
      }
      const body = await readStreamCapped(stream, name, maxBytes, touch);
      if (res.contentLength !== undefined && body.length !== res.contentLength) {
        throw storeError('CLFS_STORE_UNAVAILABLE', `${this.description}: ${name}: download truncated (${body.length} of ${res.contentLength} bytes)`, { blob: name, retryable: true });
      }
      return body;
    });
  }

  async put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.call('put', name, signal, async (abortSignal, touch, client) => {
      // One Put Blob request: CLFS blobs are ≤ ~8.5 MiB, far under the single-request limit.
      // Progress events (which reset the idle timer) only for big blobs: for small ones the SDK's
      // progress wrapper costs more than the upload, and the idle timeout alone bounds them.
      const onProgress = data.byteLength > PROGRESS_BYTES ? touch : undefined;
      await client.getBlockBlobClient(name).upload(data, data.byteLength, { abortSignal, onProgress });
    });
  }

  /**
   * Put Blob with If-None-Match: * — the service creates the blob only if the name is free, in one
   * request (whole or not at all). A taken name answers 409 (BlobAlreadyExists, or a lease on it)
   * or 412 (ConditionNotMet): both mean a blob is there.
   */
  async putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    return this.call('put', name, signal, async (abortSignal, touch, client) => {
      const onProgress = data.byteLength > PROGRESS_BYTES ? touch : undefined;
      try {
        await client.getBlockBlobClient(name).upload(data, data.byteLength, { abortSignal, onProgress, conditions: { ifNoneMatch: '*' } });
        return true;
      } catch (err) {
        const status = (err as { statusCode?: unknown }).statusCode;
        if (status === 409 || status === 412) return false;
        throw err;
      }
    });
  }

  async delete(name: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.call('delete', name, signal, (abortSignal, _touch, client) => client.getBlobClient(name).delete({ abortSignal }));
      return true;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'CLFS_STORE_NOT_FOUND') return false;
      throw err;
    }
  }

  async head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    try {
      return await this.call('head', name, signal, async (abortSignal, _touch, client) => {
        const props = await client.getBlobClient(name).getProperties({ abortSignal });
        return { name, size: props.contentLength ?? 0 };
      });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'CLFS_STORE_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** Lists one blob: needs the container to exist and the SAS to allow listing. */
  async checkAccess(signal?: AbortSignal): Promise<void> {
    await this.listPage({ pageSize: 1, signal });
  }

  /** Closes idle keep-alive sockets. */
  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** Runs one SDK call under the caller's signal plus an idle timeout (reset by `touch`), mapping every failure. */
  private async call<T>(op: string, blob: string | undefined, signal: AbortSignal | undefined, fn: (s: AbortSignal, touch: () => void, client: ContainerClient) => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    // One controller aborted by either the caller's signal or the idle timer. Linked by hand:
    // AbortSignal.any costs a WeakRef and a FinalizationRegistry entry per call in Node 20, which
    // showed up as GC time at thousands of puts per second.
    const request = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, this.idleTimeoutMs);
    const unlink = signal ? linkAbort(signal, request) : undefined;
    try {
      return await fn(request.signal, () => timer.refresh(), await this.client);
    } catch (err) {
      if (err instanceof StoreError || err instanceof FormatError) throw err;
      throw mapAzureError(err, { description: this.description, blob, op, userSignal: signal, timedOut });
    } finally {
      clearTimeout(timer);
      unlink?.();
    }
  }
}

/** Requests in flight under each caller signal: one 'abort' listener per signal fans out to them all. */
const requestsBySignal = new WeakMap<AbortSignal, Set<AbortController>>();

/** Aborts `request` when `signal` aborts (until the returned unlink is called). */
function linkAbort(signal: AbortSignal, request: AbortController): () => void {
  let requests = requestsBySignal.get(signal);
  if (!requests) {
    const set = new Set<AbortController>();
    requests = set;
    requestsBySignal.set(signal, set);
    signal.addEventListener('abort', () => {
      for (const r of set) r.abort(signal.reason);
    }, { once: true });
  }
  requests.add(request);
  return () => requests.delete(request);
}

/**
 * A request policy (the SDK's v1 factory shape) that sends every request through our keep-alive
 * agent, unless the SDK's proxy policy (which runs first) has given it the agent of the proxy that
 * HTTPS_PROXY / HTTP_PROXY name.
 */
function agentPolicyFactory(agent: http.Agent): RequestPolicyFactory {
  return {
    create: (next) => ({
      sendRequest: (request) => {
        request.agent ??= agent;
        return next.sendRequest(request);
      },
    }),
  };
}

/**
 * Removes the core pipeline's form-data policy, which we never need (no request has a form body).
 * Its first `typeof FormData` makes Node 20 load its built-in undici, 25-35 ms at the start of
 * every Azure job. The SDK offers no public way to drop a default policy: its Pipeline keeps the
 * core pipeline it built (in the ContainerClient constructor) in `_corePipeline`; when a later SDK
 * version does not, this does nothing.
 */
export function dropFormDataPolicy(pipeline: object): void {
  const core = (pipeline as { _corePipeline?: { removePolicy?: (o: { name: string }) => unknown } })._corePipeline;
  if (typeof core?.removePolicy === 'function') core.removePolicy({ name: 'formDataPolicy' });
}

