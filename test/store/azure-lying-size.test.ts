/**
 * A service that lists a blob small and then serves a huge body (issue 23 item 13): AzureStore.get
 * with maxBytes refuses it by its Content-Length before reading the body, and the reader passes its
 * cap, so the body is never received whole. Measured in bytes the server got to send and bytes a
 * stream gave up, never by time or RSS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { AzureStore } from '../../src/store/azure-store.js';
import { RetryingStore } from '../../src/store/retrying-store.js';
import { readStreamCapped } from '../../src/store/read-capped.js';
import { Container } from '../../src/read/container.js';
import { MAX_STORED_BLOB_BYTES } from '../../src/read/blob-limit.js';
import { FormatError } from '../../src/errors.js';

const HUGE = 512 * 1024 * 1024; // announced and (lazily) served: never allocated by the server
const CHUNK = Buffer.alloc(64 * 1024, 0x41);
// socket buffers on loopback (send + receive, autotuned) and stream buffers: what may be in flight
// when the client stops reading; far below HUGE
const IN_FLIGHT = 32 * 1024 * 1024;

/** A server listing one blob `HUGE` of 100 bytes, whose GET announces and streams HUGE bytes. */
async function lyingServer(): Promise<{ url: string; served: () => number; gets: () => number; close: () => void }> {
  let served = 0;
  let gets = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('comp') === 'list') {
      const body = '<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1/devstoreaccount1" ContainerName="liar">'
        + '<MaxResults>5000</MaxResults><Blobs><Blob><Name>HUGE</Name><Properties><Content-Length>100</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob></Blobs><NextMarker /></EnumerationResults>';
      res.writeHead(200, { 'Content-Type': 'application/xml', 'x-ms-version': '2021-08-06' }).end(body);
      return;
    }
    gets++;
    res.writeHead(200, { 'Content-Length': HUGE, 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'application/octet-stream', ETag: '"0x1"', 'Last-Modified': new Date().toUTCString() });
    // written with backpressure: what the client does not read is never produced
    let left = HUGE;
    const body = new Readable({
      read() {
        if (left === 0) return void this.push(null);
        const n = Math.min(left, CHUNK.length);
        left -= n;
        served += n;
        this.push(CHUNK.subarray(0, n));
      },
    });
    body.pipe(res);
    res.on('close', () => body.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/devstoreaccount1/liar?sv=2021-08-06&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=c2VjcmV0`,
    served: () => served,
    gets: () => gets,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const limitOf = (blob: string) => (e: unknown): boolean => e instanceof FormatError && e.code === 'CLFS_LIMIT' && e.blob === blob;

test('AzureStore.get(maxBytes) refuses a body announced bigger than the cap before reading it (not retried)', async () => {
  const s = await lyingServer();
  const store = new RetryingStore(new AzureStore(s.url, { idleTimeoutMs: 5000 }));
  try {
    await assert.rejects(store.get('HUGE', undefined, 1024 * 1024), (e: unknown) => limitOf('HUGE')(e) && new RegExp(`blob of ${HUGE} bytes`).test((e as Error).message));
    assert.equal(s.gets(), 1, 'a limit is not retried');
    assert.ok(s.served() < IN_FLIGHT, `the server got to send ${s.served()} of ${HUGE} bytes`);
  } finally {
    await store.close?.();
    s.close();
  }
});

test('the reader passes its cap: a blob listed at 100 bytes but served huge is refused, not received whole', async () => {
  const s = await lyingServer();
  const store = new AzureStore(s.url, { idleTimeoutMs: 5000 });
  try {
    const c = await Container.open(store, { index: 'full' });
    assert.ok(HUGE > MAX_STORED_BLOB_BYTES);
    await assert.rejects(c.readObject('HUGE'), limitOf('HUGE'));
    assert.ok(s.served() < IN_FLIGHT, `the server got to send ${s.served()} of ${HUGE} bytes`);
  } finally {
    await store.close?.();
    s.close();
  }
});

test('readStreamCapped stops pulling an endless stream just past the cap', async () => {
  let pulled = 0;
  let destroyed = false;
  const endless = new Readable({
    highWaterMark: CHUNK.length,
    read() {
      pulled += CHUNK.length;
      this.push(CHUNK);
    },
    destroy(err, cb) {
      destroyed = true;
      cb(err);
    },
  });
  const cap = 1024 * 1024;
  await assert.rejects(readStreamCapped(endless, 'ENDLESS', cap, () => undefined), limitOf('ENDLESS'));
  assert.ok(destroyed, 'the stream is destroyed');
  assert.ok(pulled <= cap + 4 * CHUNK.length, `pulled ${pulled} bytes for a cap of ${cap}`);
  // within the cap: the whole body
  const small = await readStreamCapped(Readable.from([Buffer.from('abc'), Buffer.from('de')]), 'SMALL', 5, () => undefined);
  assert.equal(Buffer.from(small).toString(), 'abcde');
});
