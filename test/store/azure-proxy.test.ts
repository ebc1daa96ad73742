/**
 * AzureStore honours the proxy the environment names (HTTP_PROXY / HTTPS_PROXY, as the SDK and
 * azcopy read them): every request goes through it. Its own file: the SDK reads the variables when a
 * store builds its pipeline, and node:test runs each file in a process of its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AzureStore } from '../../src/store/azure-store.js';
import { startAzurite, type Azurite } from '../helpers/azurite.js';

/** A minimal forward proxy for http:// targets: requests arrive with absolute URLs and are relayed. */
function startForwardProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '');
    seen.push(`${req.method} ${target.pathname}`);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

describe('AzureStore behind a proxy', () => {
  let azurite: Azurite;
  before(async () => {
    azurite = await startAzurite();
  });
  after(() => azurite.stop());

  it('sends every request through the proxy HTTP_PROXY names', async () => {
    const proxy = await startForwardProxy();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    try {
      const store = new AzureStore(await azurite.createContainer('through-proxy'));
      await store.checkAccess();
      await store.put('a-blob', Buffer.from('via the proxy'));
      assert.equal(Buffer.from(await store.get('a-blob')).toString(), 'via the proxy');
      await store.close();
      assert.deepEqual(proxy.seen, [
        'GET /devstoreaccount1/through-proxy',
        'PUT /devstoreaccount1/through-proxy/a-blob',
        'GET /devstoreaccount1/through-proxy/a-blob',
      ]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await proxy.close();
    }
  });
});
