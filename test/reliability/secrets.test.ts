/**
 * The SAS never leaks, and the state dir is private.
 * Every byte clfsload produces around a SAS URL is searched for the signature (raw, URL-encoded,
 * and any `sig=` not followed by `<redacted>`): stdout and stderr of a JSON load with retries and a
 * failed entry at DEBUG level, of a load stopped by a 403, of verify/ls/cat/export (also failing
 * ones); every file of the state dirs (database, WAL, log, problems.txt); every blob of the
 * container (the uploaded logs included); and the argv of every child process (export runs mkfifo).
 * Under umask 000 the state dir is still 0700 and each of its files 0600.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { makeTree } from '../helpers/tree.js';
import { listAll } from '../../src/store/blob-store.js';
import { openStore } from '../../src/store/open-store.js';
import { chaosEnv, finalJson, runCli, tempDir, type CliResult } from './rel-helpers.js';

/** Every regular file under `dir`, recursively, as [path, bytes]. */
function filesUnder(dir: string): [string, Buffer][] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((f) => [f, readFileSync(f)]);
}

describe('secrets and state-dir privacy', { concurrency: 1 }, () => {
  let az: Azurite;
  let proxy: FaultProxy;
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  let url: string;
  let directUrl: string;
  const outputs: [string, string][] = [];
  const keep = (label: string, r: CliResult) => {
    outputs.push([`${label} stdout`, r.stdout], [`${label} stderr`, r.stderr]);
    return r;
  };

  before(async () => {
    tmp = tempDir('secrets');
    src = path.join(tmp.dir, 'tree');
    makeTree('basic', path.join(src, 'basic'));
    execFileSync('mkfifo', [path.join(src, 'a-fifo')]);
    az = await startAzurite();
    proxy = await startFaultProxy({ target: az.blobEndpoint, seed: 99, p503: 0.05, pReset: 0.05, p429: 0.03, retryAfterSec: 0 });
    directUrl = await az.createContainer('secrets');
    url = proxy.rewrite(directUrl);
  });
  after(async () => {
    await proxy?.close();
    await az?.stop();
    tmp?.cleanup();
  });

  test('the signature appears nowhere: outputs, state dirs, blobs, child argv', async () => {
    const state = path.join(tmp.dir, 'state');
    const childLog = path.join(tmp.dir, 'children.jsonl');
    const env = chaosEnv({ CLFS_CHAOS_CHILD_LOG: childLog, CLFS_CHAOS_FS: JSON.stringify([{ match: '/tree/basic/small.txt', action: 'vanish' }]) });
    const load = keep('load', await runCli(['load', src, url, '--state-path', state, '--output-type', 'json', '--log-level', 'DEBUG'], { env }));
    assert.equal(load.code, 1, load.stdout + load.stderr);
    assert.equal(finalJson(load.stdout).finalJobStatus, 'CompletedWithErrors');
    assert.ok((finalJson(load.stdout).retries as number) > 0, 'the run had retries to log');
    assert.ok(existsSync(path.join(state, 'problems.txt')));

    // a job stopped by a 403 (its error line and log), with the same SAS
    const url2 = proxy.rewrite(await az.createContainer('secrets-403'));
    proxy.refuseAll(true);
    const refused = keep('refused', await runCli(['load', src, url2, '--state-path', path.join(tmp.dir, 'state-403')], { env }));
    proxy.refuseAll(false);
    assert.equal(refused.code, 3);

    // reading commands, succeeding and failing, against URLs carrying the SAS
    const direct = new URL(url);
    const badSig = `${direct.origin}${direct.pathname}?${direct.searchParams.toString().replace(/sig=[^&]+/, 'sig=AAAA')}`;
    keep('verify', await runCli(['verify', url, '--output-type', 'json'], { env }));
    keep('verify-text', await runCli(['verify', url], { env }));
    keep('ls', await runCli(['ls', url, '-R', '-l'], { env }));
    keep('cat', await runCli(['cat', url, 'basic/d1/mid.txt'], { env }));
    keep('cat-missing', await runCli(['cat', url, 'no/such/file'], { env }));
    const exp = keep('export', await runCli(['export', url, path.join(tmp.dir, 'export')], { env }));
    assert.equal(exp.code, 1, 'the vanished file dangles');
    keep('verify-bad-sig', await runCli(['verify', badSig], { env }));
    keep('export-missing', await runCli(['export', proxy.rewrite(az.containerUrl('nope')), path.join(tmp.dir, 'export2')], { env }));
    assert.ok(existsSync(childLog) && /mkfifo/.test(readFileSync(childLog, 'utf8')), 'export started mkfifo: children were watched');

    const sig = new URL(url).searchParams.get('sig')!;
    const needles = [sig, encodeURIComponent(sig), new URL(url).search.slice(1), encodeURIComponent(new URL(url).search.slice(1))];
    assert.ok(needles.every((n) => n.length >= 8));
    assert.ok(url.includes(needles[0]) || url.includes(needles[1]), 'the needles would find the SAS in the URL itself');
    const haystacks: [string, Buffer][] = outputs.map(([label, text]) => [label, Buffer.from(text)]);
    haystacks.push(...filesUnder(state), ...filesUnder(path.join(tmp.dir, 'state-403')), [childLog, readFileSync(childLog)]);
    const store = openStore(directUrl); // not through the faulty proxy
    const blobs: string[] = [];
    for await (const b of listAll(store)) {
      blobs.push(b.name);
      haystacks.push([`blob ${b.name}`, Buffer.from(await store.get(b.name))]);
    }
    assert.ok(blobs.includes('output.txt') && blobs.includes('problems.txt'), 'the uploaded logs were searched');
    for (const [where, bytes] of haystacks) {
      const text = bytes.toString('latin1');
      for (const n of needles) assert.ok(!text.includes(n), `SAS found in ${where}`);
      const sigParam = /sig=(?!<redacted>)[^&\s]/i.exec(text);
      assert.equal(sigParam, null, `an unredacted sig= in ${where}: ${text.slice(Math.max(0, (sigParam?.index ?? 0) - 80), (sigParam?.index ?? 0) + 40)}`);
    }
    assert.ok(haystacks.length > 30, `searched ${haystacks.length} outputs, files and blobs`);
  });

  test('under umask 000 the state dir is 0700 and every file in it 0600', async () => {
    const state = path.join(tmp.dir, 'state-umask');
    const umask0 = ['sh', '-c', 'umask 000 && exec "$0" "$@"'];
    const env = chaosEnv({ CLFS_CHAOS_FS: JSON.stringify([{ match: '/tree/basic/d1/mid.txt', action: 'vanish' }]) });
    const r = await runCli(['load', src, path.join(tmp.dir, 'dest-umask'), '--state-path', state], { prefix: umask0, env });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(statSync(state).mode & 0o777, 0o700);
    const files = readdirSync(state);
    for (const f of ['clfsload.db', 'output.txt', 'problems.txt']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    for (const f of files) assert.equal(statSync(path.join(state, f)).mode & 0o777, 0o600, `${f} is private`);
  });
});
