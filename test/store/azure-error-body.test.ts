/**
 * An error answer whose XML body the SDK cannot parse (here: a bare `&`) used to be reported as
 * `Error "[object Object]" occurred while parsing the response body - <the whole body>`. Now the
 * service's error code and first message line are reported, and never a secret.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AzureStore } from '../../src/store/azure-store.js';
import { StoreError } from '../../src/errors.js';
import { serviceErrorFromBody } from '../../src/store/azure-errors.js';

const SIG = 'QTBvZHlTaWduYXR1cmVWYWx1ZT09PTk4NzY1NDMy';
let reply: { status: number; body: string; headers?: Record<string, string> } = { status: 400, body: '' };
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(reply.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  });
});
let url = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1/fake?sv=2021-08-06&sr=c&sp=racwdl&sig=${encodeURIComponent(SIG)}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function failure(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(() => assert.fail('expected a failure'), (e: unknown) => e);
  assert.ok(err instanceof StoreError, String(err));
  const text = [err.message, err.stack, JSON.stringify(err), JSON.stringify(err.data)].join('\n');
  for (const s of [SIG, encodeURIComponent(SIG), '[object Object]', 'occurred while parsing', '<Error>', '<Code>', 'RequestId']) {
    assert.ok(!text.includes(s), `${s} in: ${text}`);
  }
  return err;
}

describe('HTTP errors with an XML body the SDK cannot parse', () => {
  // A service (or a proxy in front of it) echoing the request's query, with a raw `&`: not well-formed XML.
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidQueryParameterValue</Code><Message>Value for one of the query parameters specified in the request URI is invalid: sv=2021-08-06&sig=${SIG} &amp; more\nRequestId:abc\nTime:2026-01-01</Message></Error>`;

  for (const op of ['get', 'put', 'listPage'] as const) {
    it(`${op}: 400 without x-ms-error-code reports the body's code and message`, async () => {
      reply = { status: 400, body };
      const store = new AzureStore(url, { idleTimeoutMs: 2000 });
      const call = op === 'get' ? store.get('blob1') : op === 'put' ? store.put('blob1', new Uint8Array(4)) : store.listPage({});
      const err = await failure(call);
      assert.equal(err.code, 'CLFS_STORE_IO');
      assert.match(err.message, /HTTP 400 InvalidQueryParameterValue\): Value for one of the query parameters specified in the request URI is invalid: .*<redacted/);
      assert.equal(err.data.serviceCode, 'InvalidQueryParameterValue');
      await store.close?.();
    });
  }

  it('with x-ms-error-code, the header names the code and the body gives the message', async () => {
    reply = { status: 400, body: '<Error><Code>Ignored</Code><Message>a & b', headers: { 'x-ms-error-code': 'InvalidHeaderValue' } };
    const store = new AzureStore(url, { idleTimeoutMs: 2000 });
    const err = await failure(store.get('blob2'));
    assert.match(err.message, /HTTP 400 InvalidHeaderValue\): a & b$/);
  });

  it('a body with no message at all says so, without echoing the body', async () => {
    reply = { status: 400, body: '<Error><Oops & </Error>' };
    const store = new AzureStore(url, { idleTimeoutMs: 2000 });
    const err = await failure(store.get('blob3'));
    assert.match(err.message, /HTTP 400\): the service sent an error body that could not be read$/);
  });
});

describe('serviceErrorFromBody', () => {
  it('reads code and first message line; unescapes the XML entities; ignores odd codes', () => {
    assert.deepEqual(serviceErrorFromBody('<Error><Code>AuthorizationFailure</Code><Message>This request &lt;is&gt; not &quot;authorized&quot;.\nRequestId:1</Message></Error>'),
      { code: 'AuthorizationFailure', message: 'This request <is> not "authorized".' });
    assert.deepEqual(serviceErrorFromBody('<Error><Code>bad code<script></Code></Error>'), { code: undefined, message: undefined });
    assert.deepEqual(serviceErrorFromBody(undefined), {});
  });
});
