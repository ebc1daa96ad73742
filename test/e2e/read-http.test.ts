/** verify and export over HTTP: fixtures uploaded into a private Azurite, read through the container URL. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { copyFixtureToStore } from '../helpers/stores.js';
import { AzureStore } from '../../src/store/azure-store.js';
import type { VerifyReport } from '../../src/read/verify.js';
import type { ExportResult } from '../../src/read/export.js';
import { cli, readManifest, tempDir } from '../read/read-helpers.js';
import { assertMatchesManifest } from '../read/manifest-match.js';
import { snapshotTree } from '../helpers/tree.js';

let azurite: Azurite;
const urls = new Map<string, string>();
const variants = ['basic', 'hardlinks-preserve', 'bigfile'];

before(async () => {
  azurite = await startAzurite();
  for (const v of variants) {
    const url = await azurite.createContainer(v);
    await copyFixtureToStore(v, new AzureStore(url));
    urls.set(v, url);
  }
});

after(async () => {
  await azurite?.stop();
});

for (const variant of variants) {
  test(`verify and export ${variant} over HTTP`, async () => {
    const url = urls.get(variant)!;
    const v = await cli(['verify', url, '--output-type', 'json']);
    const report = JSON.parse(v.stdout.toString('utf8')) as VerifyReport;
    assert.equal(v.code, 0, JSON.stringify(report.findings));
    assert.equal(report.errors, 0);
    assert.ok(!report.container.includes('sig='), 'the SAS never appears in output');
    const t = tempDir();
    try {
      const dest = path.join(t.dir, 'out');
      const r = await cli(['export', url, dest, '--output-type', 'json']);
      const result = JSON.parse(r.stdout.toString('utf8')) as ExportResult;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(result.errors, 0);
      assertMatchesManifest(snapshotTree(dest), readManifest(variant).entries, process.getuid?.() === 0);
    } finally {
      t.cleanup();
    }
  });
}

test('cat and ls over HTTP', async () => {
  const r = await cli(['cat', urls.get('basic')!, 'small.txt']);
  assert.equal(r.stdout.toString('utf8'), 'hello, clfs\n');
  const l = await cli(['ls', urls.get('hardlinks-preserve')!, 'a']);
  assert.deepEqual(l.stdout.toString('utf8').trimEnd().split('\n').sort(), ['plain.txt', 'same1.txt', 'same2.txt', 'three.txt', 'two.txt']);
});

test('verify and ls against a list endpoint that repeats its continuation marker fail clearly instead of hanging', async () => {
  let lists = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('comp') !== 'list') {
      res.writeHead(404, { 'x-ms-error-code': 'BlobNotFound' }).end();
      return;
    }
    lists++;
    const body = '<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1/devstoreaccount1" ContainerName="loop">'
      + '<MaxResults>5000</MaxResults><Blobs><Blob><Name>a-blob</Name><Properties><Content-Length>4</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob></Blobs>'
      // after 50 pages the listing ends, so a reader that does not notice fails this test instead of hanging it
      + (lists < 50 ? '<NextMarker>the-same-marker</NextMarker>' : '') + '</EnumerationResults>';
    res.writeHead(200, { 'Content-Type': 'application/xml', 'x-ms-version': '2021-08-06' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1/loop?sv=2021-08-06&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=c2VjcmV0`;
    for (const args of [['verify', url], ['ls', url, '-R'], ['ls', url]]) {
      lists = 0;
      const r = await cli(args);
      const out = r.stdout.toString('utf8') + r.stderr;
      assert.ok(lists <= 4, `${lists} list requests`);
      assert.match(out, /the listing repeats a continuation marker/, args.join(' '));
      assert.ok(!out.includes('c2VjcmV0'), 'the SAS never appears');
      assert.equal(r.code, args[0] === 'verify' ? 1 : 3, out);
    }
  } finally {
    server.close();
  }
});
