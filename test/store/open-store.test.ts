import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore, describeLocation, containerIdentity } from '../../src/store/open-store.js';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { AzureStore } from '../../src/store/azure-store.js';
import { StoreError } from '../../src/errors.js';

const SIG = 'c2VjcmV0LXNpZy12YWx1ZQ%3D%3D';
const SAS = `sv=2021-08-06&sr=c&sp=racwdl&se=2099-01-01&sig=${SIG}`;
const root = mkdtempSync(path.join(os.tmpdir(), 'clfs-open-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

function badUrl(location: string): StoreError {
  try {
    openStore(location);
  } catch (e) {
    assert.ok(e instanceof StoreError);
    assert.equal(e.code, 'CLFS_STORE_BAD_URL');
    assert.ok(!e.message.includes(SIG) && !e.message.includes('sig='), e.message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e;
  }
  assert.fail(`${location} was accepted`);
}

describe('openStore', () => {
  it('opens local paths and file:// URLs as LocalDirStore', () => {
    const a = openStore(root);
    assert.ok(a instanceof LocalDirStore);
    assert.equal(a.dir, root);
    const b = openStore(pathToFileURL(root).href);
    assert.ok(b instanceof LocalDirStore);
    assert.equal(b.dir, root);
    assert.ok(openStore('relative/dir') instanceof LocalDirStore);
  });

  it('opens https and loopback http container URLs with a SAS as AzureStore, description without the SAS', async () => {
    for (const url of [`https://acct.blob.core.windows.net/cont?${SAS}`, `http://127.0.0.1:10000/devstoreaccount1/cont?${SAS}`]) {
      const s = openStore(url);
      assert.ok(s instanceof AzureStore);
      assert.ok(!s.description.includes(SIG) && !s.description.includes('?'), s.description);
      await s.close?.();
    }
  });

  it('rejects malformed URLs, missing SAS, blob URLs and plain http to remote hosts', () => {
    assert.match(badUrl('https://acct.blob.core.windows.net/cont').message, /no SAS/);
    assert.match(badUrl(`https://acct.blob.core.windows.net/cont/blob?${SAS}`).message, /container URL/);
    assert.match(badUrl(`https://acct.blob.core.windows.net/?${SAS}`).message, /container URL/);
    assert.match(badUrl(`http://acct.blob.core.windows.net/cont?${SAS}`).message, /plain http/);
    assert.match(badUrl(`ftp://host/cont?${SAS}`).message, /scheme/);
    badUrl(`https://[bad/cont?${SAS}`);
    badUrl('');
  });
});

describe('describeLocation / containerIdentity', () => {
  it('describes without secrets', () => {
    assert.equal(describeLocation(`https://acct.blob.core.windows.net/cont?${SAS}`), 'https://acct.blob.core.windows.net/cont?<redacted>');
    assert.equal(describeLocation('/data/container'), '/data/container');
  });

  it('identifies a container the same way whatever SAS or spelling is used', () => {
    const a = containerIdentity(`https://acct.blob.core.windows.net/cont?${SAS}`);
    const b = containerIdentity('https://ACCT.blob.core.windows.net/cont/?sv=2022-11-02&sp=rl&sig=other');
    assert.equal(a, 'azure://acct.blob.core.windows.net/cont');
    assert.equal(a, b);
    assert.notEqual(a, containerIdentity(`https://acct.blob.core.windows.net/cont2?${SAS}`));
    assert.notEqual(containerIdentity(`http://127.0.0.1:10000/devstoreaccount1/c?${SAS}`), containerIdentity(`http://127.0.0.1:10001/devstoreaccount1/c?${SAS}`));
  });

  it('identifies local directories by real path', () => {
    const link = path.join(root, 'link');
    symlinkSync(root, link);
    assert.equal(containerIdentity(link), `file://${root}`);
    assert.equal(containerIdentity(pathToFileURL(root).href), `file://${root}`);
    assert.equal(containerIdentity(`${root}/`), `file://${root}`);
  });
});
