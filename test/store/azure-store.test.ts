/** AzureStore against a private Azurite: the conformance suite plus auth and missing-container behaviour. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AzureStore, dropFormDataPolicy } from '../../src/store/azure-store.js';
import { StoreError } from '../../src/errors.js';
import { startAzurite } from '../helpers/azurite.js';
import { runBlobStoreConformance } from './conformance.js';

const azurite = await startAzurite();
after(() => azurite.stop());
let n = 0;

// 5,001 blobs: just over the service's 5,000-per-page maximum, so an unbounded listing must page too.
// Azurite manages a few hundred puts/s on a shared machine; more would only slow the suite.
runBlobStoreConformance('azure (Azurite)', async () => new AzureStore(await azurite.createContainer(`conf-${n++}`)), {
  manyCount: 5001,
  concurrency: 8,
  makeMissingStore: async () => new AzureStore(azurite.containerUrl(`missing-${n++}`)),
});

describe('AzureStore on Azurite', () => {
  it('a bad signature gives CLFS_STORE_AUTH with one clear message and no sig= value anywhere', async () => {
    const url = await azurite.createContainer('auth-test');
    const goodSig = new URL(url).searchParams.get('sig')!;
    const forged = 'Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZS0xMjM0NTY3ODkw';
    const store = new AzureStore(url.replace(/sig=[^&]+/, `sig=${encodeURIComponent(forged)}`));
    try {
      for (const f of [() => store.checkAccess(), () => store.get('A'), () => store.put('A', Uint8Array.of(1)), () => store.delete('A'), () => store.head('A')]) {
        const err = await f().then(() => assert.fail('expected a 403'), (e: unknown) => e);
        assert.ok(err instanceof StoreError, String(err));
        assert.equal(err.code, 'CLFS_STORE_AUTH');
        assert.equal(err.status, 403);
        assert.equal(err.retryable, false);
        assert.match(err.message, /the SAS is invalid, expired, or lacks read\/write\/delete\/list permission/);
        const everything = [err.message, err.stack, JSON.stringify(err), JSON.stringify(err.data), String(err.cause), store.description].join('\n');
        for (const secret of [forged, encodeURIComponent(forged), goodSig, 'sig=']) assert.ok(!everything.includes(secret), `leaked ${secret}`);
      }
    } finally {
      await store.close();
    }
  });

  it('a SAS without write permission is refused with CLFS_STORE_AUTH on put', async () => {
    const url = await azurite.createContainer('readonly-test');
    // Azurite checks the signature over the permissions, so changing sp= alone must fail authentication too.
    const store = new AzureStore(url.replace(/sp=[^&]+/, 'sp=rl'));
    try {
      await assert.rejects(store.put('A', Uint8Array.of(1)), (e: unknown) => e instanceof StoreError && e.code === 'CLFS_STORE_AUTH');
    } finally {
      await store.close();
    }
  });
});

describe('AzureStore and the SDK it is built on', () => {
  it('the SDK still keeps its core pipeline where dropFormDataPolicy looks, and the policy goes', async () => {
    // If an SDK upgrade moves it, dropFormDataPolicy silently does nothing and every Azure job
    // loads undici again (~30 ms): this test is what notices.
    const { AnonymousCredential, ContainerClient, newPipeline } = await import('@azure/storage-blob');
    const pipeline = newPipeline(new AnonymousCredential());
    new ContainerClient('http://127.0.0.1:1/devstoreaccount1/c', pipeline);
    const core = (pipeline as unknown as { _corePipeline?: { getOrderedPolicies(): { name: string }[] } })._corePipeline;
    assert.ok(core, 'Pipeline._corePipeline is set by the ContainerClient constructor');
    const names = (): string[] => core.getOrderedPolicies().map((p) => p.name);
    assert.ok(names().includes('formDataPolicy'), names().join(', '));
    dropFormDataPolicy(pipeline);
    assert.ok(!names().includes('formDataPolicy'), names().join(', '));
  });
});
