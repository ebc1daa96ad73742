/** verify and export over HTTP: fixtures uploaded into a private Azurite, read through the container URL. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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
