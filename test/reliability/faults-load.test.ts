/**
 * Loads through the fault proxy in front of Azurite. With 5% of requests faulted (500, 503, 429
 * with Retry-After, resets before and after the write, stalls dropped after 1.5 s, slow bodies)
 * the load completes, verify is clean, the tree matches, and the retry count is in output.txt and
 * the JSON summary. Stalls that never end are timed out and retried (in-process, short timeout).
 * A 403 mid-job (expired/revoked SAS) stops within seconds with one line; a new SAS resumes it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../helpers/fault-proxy.js';
import { makeTree } from '../helpers/tree.js';
import { AzureStore } from '../../src/store/azure-store.js';
import { RetryingStore } from '../../src/store/retrying-store.js';
import { containerIdentity } from '../../src/store/open-store.js';
import { runLoad } from '../../src/load/run-load.js';
import { addSmallFiles, assertExportEquals, assertVerifyClean, finalJson, runCli, tempDir } from './rel-helpers.js';

const SEED = Number(process.env.CLFS_FAULT_SEED ?? 6006);

describe('loads through a faulty network', { concurrency: 1 }, () => {
  let az: Azurite;
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  const proxies: FaultProxy[] = [];

  before(async () => {
    tmp = tempDir('faults');
    src = path.join(tmp.dir, 'faulty');
    makeTree('basic', path.join(src, 'basic'));
    makeTree('hardlinks', path.join(src, 'hl'));
    makeTree('bigfile', path.join(src, 'big'));
    addSmallFiles(src, 400);
    az = await startAzurite();
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await az?.stop();
    tmp?.cleanup();
  });

  async function proxyFor(seed: number, rates: Omit<FaultProxyOptions, 'target' | 'seed'>): Promise<FaultProxy> {
    const p = await startFaultProxy({ target: az.blobEndpoint, seed, ...rates });
    proxies.push(p);
    return p;
  }

  test(`5% of requests faulted: completes, verify clean, tree equal, retries reported (seed ${SEED})`, async () => {
    const url = await az.createContainer('five-percent');
    const proxy = await proxyFor(SEED, { p500: 0.01, p503: 0.01, p429: 0.01, pReset: 0.01, pStall: 0.005, pSlow: 0.005, retryAfterSec: 1, stallMs: 1500 });
    const state = path.join(tmp.dir, 'state-5pct');
    const r = await runCli(['load', src, proxy.rewrite(url), '--state-path', state, '--preserve-hardlinks=true', '--output-type', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const final = finalJson(r.stdout);
    assert.equal(final.finalJobStatus, 'Completed');
    const injected = proxy.injected;
    const retryable = (injected['500'] ?? 0) + (injected['503'] ?? 0) + (injected['429'] ?? 0) + (injected.reset ?? 0) + (injected.stall ?? 0);
    assert.ok(retryable >= 10, `faults were injected: ${JSON.stringify(injected)} of ${proxy.requests} requests`);
    // every injected fault costs exactly one retry (none exhausts the attempts)
    assert.equal(final.retries, retryable, `JSON summary retries vs injected ${JSON.stringify(injected)}`);
    const log = readFileSync(path.join(state, 'output.txt'), 'utf8');
    const logged = [...log.matchAll(/(\d+) retries/g)].at(-1);
    assert.ok(logged, `output.txt reports the retry count:\n${log}`);
    assert.equal(Number(logged[1]), retryable, 'the last count logged is the job total');
    await assertVerifyClean(url);
    await assertExportEquals(url, src, tmp.dir, { hardlinks: 'preserve' });
  });

  test('stalls that never answer are timed out and retried (in-process load, 1 s idle timeout)', async () => {
    const url = await az.createContainer('stalls');
    const proxy = await proxyFor(SEED + 1, { pStall: 0.04, p503: 0.02 });
    const store = new RetryingStore(new AzureStore(proxy.rewrite(url), { idleTimeoutMs: 1000 }), { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 12 });
    const state = path.join(tmp.dir, 'state-stalls');
    const result = await runLoad({
      source: src, stateDir: state, store, destinationIdentity: containerIdentity(proxy.rewrite(url)),
      compression: 'LZ4', preserveHardlinks: true, maxErrors: 0, concurrency: 16,
    });
    await store.close();
    assert.equal(result.snapshot.status, 'Completed');
    assert.ok((proxy.injected.stall ?? 0) >= 2, JSON.stringify(proxy.injected));
    // each injected fault was retried; a legitimately slow request may also hit the short timeout
    assert.ok(store.retries >= (proxy.injected.stall ?? 0) + (proxy.injected['503'] ?? 0), `${store.retries} retries for ${JSON.stringify(proxy.injected)}`);
    await assertVerifyClean(url);
    await assertExportEquals(url, src, tmp.dir, { hardlinks: 'preserve' });
  });

  test('a 403 mid-job stops within seconds with one clear line; a new SAS resumes and completes', async () => {
    const name = 'sas-expiry';
    const url = await az.createContainer(name);
    const proxy = await proxyFor(SEED + 2, {});
    const state = path.join(tmp.dir, 'state-403');
    let refusedAt = 0;
    const r = await runCli(['load', src, proxy.rewrite(url), '--state-path', state, '--preserve-hardlinks=true'], {
      onSpawn: () => {
        // let the job get going (bucket written, transfers in flight), then revoke the SAS
        const poll = setInterval(() => {
          if (proxy.requests >= 20) {
            proxy.refuseAll(true);
            refusedAt = Date.now();
            clearInterval(poll);
          }
        }, 5);
      },
    });
    const stoppedAfter = Date.now() - refusedAt;
    assert.ok(refusedAt > 0, 'the job made 20 requests before the SAS was revoked');
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.ok(stoppedAfter < 5000, `stopped ${stoppedAfter} ms after the first 403`);
    const errLines = r.stderr.trim().split('\n');
    assert.equal(errLines.length, 1, `one line on stderr: ${r.stderr}`);
    assert.match(errLines[0], /the SAS is invalid, expired, or lacks read\/write\/delete\/list permission/);
    assert.match(errLines[0], /CLFS_STORE_AUTH/);
    assert.ok((proxy.injected['403'] ?? 0) >= 1);

    proxy.refuseAll(false);
    // SAS times have whole seconds: wait until a later expiry gives a different signature
    let fresh = proxy.rewrite(az.containerUrl(name));
    for (let i = 0; i < 30 && new URL(fresh).searchParams.get('sig') === new URL(url).searchParams.get('sig'); i++) {
      await new Promise((res) => setTimeout(res, 50));
      fresh = proxy.rewrite(az.containerUrl(name));
    }
    assert.notEqual(new URL(fresh).searchParams.get('sig'), new URL(url).searchParams.get('sig'));
    const resumed = await runCli(['load', src, fresh, '--state-path', state, '--preserve-hardlinks=true']);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /Resuming load/);
    assert.match(resumed.stdout, /Final Job Status: Completed/);
    await assertVerifyClean(url);
    await assertExportEquals(url, src, tmp.dir, { hardlinks: 'preserve' });
  });

  test('crashes in RECONCILE, CLEANUP and FINALIZE on a faulty network: each resumed job ends clean', async () => {
    const proxy = await proxyFor(SEED + 3, { p503: 0.05, pReset: 0.05, p429: 0.02, retryAfterSec: 0 });
    const hl = path.join(tmp.dir, 'hl-only');
    makeTree('hardlinks', path.join(hl, 'hl'));
    for (const [i, point] of ['reconciled-one:2', 'cleaned-one:3', 'after-root-publish:1'].entries()) {
      const url = proxy.rewrite(await az.createContainer(`crash-faulty-${i}`));
      const state = path.join(tmp.dir, `state-crash-faulty-${i}`);
      const args = ['load', hl, url, '--state-path', state, '--preserve-hardlinks=true'];
      const killed = await runCli(args, { env: { CLFSLOAD_TEST_KILL_AT: point } });
      assert.equal(killed.signal, 'SIGKILL', `killed at ${point}: ${killed.stdout}${killed.stderr}`);
      const done = await runCli(args);
      assert.equal(done.code, 0, done.stdout + done.stderr);
      await assertVerifyClean(url);
    }
    assert.ok((proxy.injected.reset ?? 0) > 0, JSON.stringify(proxy.injected));
  });
});
