/**
 * Loads through the fault proxy in front of Azurite. With 5% of requests faulted (500, 503, 429
 * with Retry-After, resets before and after the write, stalls dropped after 1.5 s, slow bodies)
 * the load completes, verify is clean, the tree matches, and the retry count is in output.txt and
 * the JSON summary. Stalls that never end are timed out and retried (in-process, short timeout),
 * and so is a response whose body stops after the headers, while a slow body that keeps moving is
 * not cut off. A 403 mid-job (expired/revoked SAS), sent while 64 requests are in flight, stops
 * the load with one line and no new request; a new SAS resumes it. Contents are checked twice:
 * export against the source, and the codec-only walk (independent-walk.ts) against the source.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../helpers/fault-proxy.js';
import { makeTree } from '../helpers/tree.js';
import { independentDiff } from '../helpers/independent-walk.js';
import { AzureStore } from '../../src/store/azure-store.js';
import { RetryingStore, type RetryEvent } from '../../src/store/retrying-store.js';
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
    assert.deepEqual(await independentDiff(url, src, { hardlinks: 'preserve' }), []);
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
    assert.deepEqual(await independentDiff(url, src, { hardlinks: 'preserve' }), []);
  });

  test('a response whose body stops after the headers is abandoned after idleTimeoutMs and retried; a slow body is not', { timeout: 180_000 }, async () => {
    const url = await az.createContainer('body-stalls');
    const direct = new AzureStore(url);
    const blobs = Array.from({ length: 16 }, (_, i) => ({ name: `blob-${i}`, bytes: randomBytes(512 * 1024) }));
    for (const b of blobs) await direct.put(b.name, b.bytes);
    await direct.close();
    // only blob downloads are faulted: half their body then nothing (no stallMs: held until the
    // client gives up), or the whole body trickled in 8 KiB steps 60 ms apart (3.8 s in all,
    // longer than the 3 s idle timeout, but never idle for long)
    const proxy = await proxyFor(SEED + 4, { pStallBody: 0.25, pSlow: 0.25, slowDelayMs: 60, filter: (method, p) => method === 'GET' && p.includes('/blob-') });
    const events: RetryEvent[] = [];
    const store = new RetryingStore(new AzureStore(proxy.rewrite(url), { idleTimeoutMs: 3000 }), { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 12, onRetry: (e) => events.push(e) });
    for (const b of blobs) assert.ok(Buffer.from(await store.get(b.name)).equals(b.bytes), `${b.name} read back whole`);
    await store.close();
    const stalled = proxy.injected['stall-body'] ?? 0;
    assert.ok(stalled >= 2 && (proxy.injected.slow ?? 0) >= 2, `both faults were injected: ${JSON.stringify(proxy.injected)}`);
    // each stalled body was given up by the client (the proxy never closes it) and retried; no slow
    // body was given up (a request slowed down by a busy machine may time out too: at least, not exactly)
    assert.equal(proxy.injected['stall-body-abandoned'], stalled, JSON.stringify(proxy.injected));
    assert.equal(proxy.injected['slow-abandoned'], undefined, JSON.stringify(proxy.injected));
    assert.ok(events.length >= stalled, events.map((e) => e.error.message).join('\n'));
    for (const e of events) {
      assert.equal((e.error as { code?: string }).code, 'CLFS_STORE_UNAVAILABLE');
      assert.match(e.error.message, /get timed out/);
    }
  });

  test('a 403 while 64 requests are in flight stops the load (no object started after it) with one clear line; a new SAS resumes and completes', async () => {
    const name = 'sas-expiry';
    const url = await az.createContainer(name);
    const proxy = await proxyFor(SEED + 2, {});
    const state = path.join(tmp.dir, 'state-403');
    let inFlightAtRefusal: Promise<number> | undefined;
    const r = await runCli(['load', src, proxy.rewrite(url), '--state-path', state, '--preserve-hardlinks=true'], {
      onSpawn: () => {
        // let the job get going (bucket written, transfers under way), then hold requests until
        // 64 are in flight and revoke the SAS: every one of them, and every later one, gets a 403
        const poll = setInterval(() => {
          if (proxy.requests >= 20) {
            inFlightAtRefusal = proxy.refuseWhenInFlight(64);
            clearInterval(poll);
          }
        }, 5);
      },
    });
    assert.ok(inFlightAtRefusal, 'the job made 20 requests before the SAS was revoked');
    assert.ok(await inFlightAtRefusal >= 64, 'at least 64 requests in flight when the first 403 was sent');
    assert.equal(r.code, 3, r.stdout + r.stderr);
    // No new object is started after the first 403; the objects already holding a write slot (64,
    // twice as many for small ones) still send their blob, each refused. A loader that went on
    // would send one request per object left (hundreds here).
    const sentAfter = proxy.requests - proxy.requestsAtFirst403!;
    assert.ok(sentAfter <= 2 * 64, `${sentAfter} requests sent after the first 403`);
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
    assert.deepEqual(await independentDiff(url, src, { hardlinks: 'preserve' }), []);
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
