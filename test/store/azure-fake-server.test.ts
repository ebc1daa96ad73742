/**
 * AzureStore + RetryingStore against a scripted HTTP server on 127.0.0.1: retry classification,
 * Retry-After, no SDK-level retries, stops on 403/404/409, timeouts, aborts, many sockets, no SAS leaks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AzureStore } from '../../src/store/azure-store.js';
import { RetryingStore, type RetryEvent } from '../../src/store/retrying-store.js';
import { AbortedError, StoreError } from '../../src/errors.js';

const SIG = 'U2VjcmV0U2lnbmF0dXJlVmFsdWU9PT0xMjM0NTY3';
type Reply = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let script: Reply[] = [];
let hits = 0;
const succeed: Reply = (req, res) => (req.method === 'PUT' ? created(res) : ok(res, 'hello'));
let fallback: Reply = succeed;
const server = http.createServer((req, res) => {
  hits++;
  req.resume();
  req.on('end', () => (script.shift() ?? fallback)(req, res));
});
let url = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}/devstoreaccount1/fake?sv=2021-08-06&sr=c&sp=racwdl&se=2099-01-01&sig=${encodeURIComponent(SIG)}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function ok(res: http.ServerResponse, body: string): void {
  res.writeHead(200, { 'Content-Length': Buffer.byteLength(body), 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'application/octet-stream', ETag: '"0x1"', 'Last-Modified': new Date().toUTCString() });
  res.end(body);
}
function created(res: http.ServerResponse): void {
  res.writeHead(201, { 'Content-Length': 0, ETag: '"0x2"', 'Last-Modified': new Date().toUTCString() });
  res.end();
}
function fail(status: number, code: string, headers: Record<string, string> = {}): Reply {
  return (req, res) => {
    // A real service echoes nothing secret, but a hostile/buggy one might: put the URL in the message to prove redaction.
    const where = (req.url ?? '').replace(/&/g, '&amp;');
    const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>failed for ${where}\nRequestId:x</Message></Error>`;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'x-ms-error-code': code, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
const reset: Reply = (req) => req.socket.destroy();

function setup(replies: Reply[]): { store: RetryingStore; azure: AzureStore; events: RetryEvent[]; delays: number[] } {
  script = [...replies];
  hits = 0;
  fallback = succeed;
  const events: RetryEvent[] = [];
  const delays: number[] = [];
  const azure = new AzureStore(url, { idleTimeoutMs: 2000 });
  const store = new RetryingStore(azure, { onRetry: (e) => events.push(e), sleep: async (ms) => void delays.push(ms), random: () => 0.5 });
  return { store, azure, events, delays };
}

function assertNoSecret(err: unknown): void {
  const e = err as StoreError;
  const text = [e.message, e.stack, JSON.stringify(e), JSON.stringify(e.data), String(e.cause)].join('\n');
  for (const s of [SIG, encodeURIComponent(SIG), 'sig=']) assert.ok(!text.includes(s), `secret ${s} leaked in: ${text}`);
}

async function failure(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(() => assert.fail('expected a failure'), (e: unknown) => e);
  assert.ok(err instanceof StoreError, String(err));
  assertNoSecret(err);
  return err;
}

describe('AzureStore retry classification (fake server)', () => {
  it('503 ServerBusy with Retry-After is throttling: retried after at least the hint, then succeeds', async () => {
    const { store, events, delays } = setup([fail(503, 'ServerBusy', { 'Retry-After': '3' })]);
    assert.equal(Buffer.from(await store.get('A')).toString(), 'hello');
    assert.equal(hits, 2);
    assert.equal(store.retries, 1);
    assert.equal(events[0].error.code, 'CLFS_STORE_THROTTLED');
    assert.equal(events[0].error.data.retryAfterMs, 3000);
    assertNoSecret(events[0].error);
    assert.ok(delays[0] >= 3000, `slept ${delays[0]}`);
  });

  it('500, 503, 408 and 429 are retried; the SDK itself never retries', async () => {
    const { store, events } = setup([fail(500, 'InternalError'), fail(503, 'ServiceUnavailable'), fail(408, 'OperationTimedOut'), fail(429, 'TooManyRequests')]);
    await store.put('B', Buffer.from('data'));
    assert.equal(hits, 5);
    assert.deepEqual(events.map((e) => [e.error.code, e.error.status]), [
      ['CLFS_STORE_UNAVAILABLE', 500], ['CLFS_STORE_UNAVAILABLE', 503], ['CLFS_STORE_UNAVAILABLE', 408], ['CLFS_STORE_THROTTLED', 429],
    ]);
    const bare = setup([fail(503, 'ServiceUnavailable')]);
    const err = await failure(bare.azure.get('A'));
    assert.equal(err.retryable, true);
    assert.equal(hits, 1, 'the SDK retried on its own');
  });

  it('a connection reset is retryable and retried', async () => {
    const { store, events } = setup([reset]);
    assert.equal(Buffer.from(await store.get('A')).toString(), 'hello');
    assert.equal(hits, 2);
    assert.equal(events[0].error.code, 'CLFS_STORE_UNAVAILABLE');
    assertNoSecret(events[0].error);
  });

  it('stops at once on 403, 404 and 409', async () => {
    let s = setup([fail(403, 'AuthenticationFailed')]);
    let err = await failure(s.store.get('A'));
    assert.deepEqual([err.code, err.status, hits, s.store.retries], ['CLFS_STORE_AUTH', 403, 1, 0]);
    assert.match(err.message, /the SAS is invalid, expired, or lacks read\/write\/delete\/list permission/);

    s = setup([fail(404, 'BlobNotFound')]);
    err = await failure(s.store.get('A'));
    assert.deepEqual([err.code, err.blob, hits], ['CLFS_STORE_NOT_FOUND', 'A', 1]);

    s = setup([fail(404, 'ContainerNotFound')]);
    err = await failure(s.store.put('A', Uint8Array.of(1)));
    assert.deepEqual([err.code, hits], ['CLFS_STORE_CONTAINER_MISSING', 1]);

    s = setup([fail(404, 'BlobNotFound')]);
    assert.equal(await s.store.head('A'), undefined);
    assert.equal(hits, 1);

    s = setup([fail(409, 'LeaseIdMissing')]);
    err = await failure(s.store.put('A', Uint8Array.of(1)));
    assert.deepEqual([err.code, err.status, err.retryable, hits], ['CLFS_STORE_IO', 409, false, 1]);
  });

  it('gives up after maxAttempts, returning the last error', async () => {
    setup([]);
    fallback = fail(500, 'InternalError');
    const store = new RetryingStore(new AzureStore(url), { maxAttempts: 3, sleep: async () => undefined });
    const err = await failure(store.get('A'));
    assert.equal(err.status, 500);
    assert.equal(hits, 3);
    assert.equal(store.retries, 2);
  });

  it('a stalled server times out as a retryable error; a caller abort is AbortedError', async () => {
    setup([() => undefined]); // never answers
    const azure = new AzureStore(url, { idleTimeoutMs: 300 });
    const err = await failure(azure.get('A'));
    assert.equal(err.code, 'CLFS_STORE_UNAVAILABLE');
    assert.equal(err.retryable, true);
    assert.match(err.message, /timed out/);

    setup([() => undefined]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(azure.get('A', ac.signal), AbortedError);
    await azure.close();
  });

  it('keeps 80 requests in flight at once (keep-alive agent with enough sockets)', async () => {
    const { azure } = setup([]);
    const waiting: http.ServerResponse[] = [];
    fallback = (_req, res) => {
      waiting.push(res);
      if (waiting.length === 80) for (const r of waiting) ok(r, 'x');
    };
    const results = await Promise.all(Array.from({ length: 80 }, (_, i) => azure.get(`B${i}`)));
    assert.equal(results.length, 80);
    assert.equal(hits, 80);
    await azure.close();
  });
});
