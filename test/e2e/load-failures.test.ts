/**
 * Failure handling through the built CLI: unreadable entries (as an unprivileged user), a
 * non-empty destination, a bad SAS, a missing container, refused resumes, and a resume with a
 * new SAS. Each ends with its documented message, exit code and state, and nothing damaged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { compareTrees, makeTree, snapshotTree } from '../helpers/tree.js';
import { runCli, summaryField } from '../helpers/load-run.js';
import { openStore } from '../../src/store/open-store.js';
import { storeNames } from '../helpers/load-container.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];

function sigOf(url: string): string {
  return new URL(url).searchParams.get('sig')!;
}

/** Every file under `dir` (recursively) as one string, to search for leaked secrets. */
function allText(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += readFileSync(path.join(e.parentPath, e.name)).toString('latin1');
  }
  return out;
}

describe('load failures', { concurrency: 1 }, () => {
  let tmp: string;
  let basic: string;
  let az: Azurite;

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-fail-'));
    chmodSync(tmp, 0o755);
    basic = path.join(tmp, 'basic');
    makeTree('basic', basic);
    az = await startAzurite();
  });
  after(async () => {
    await az?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('unreadable file and directory: logged, counted, listed in problems.txt; the rest loads', { skip: !isRoot && 'NOT RUN: needs root to run the CLI as uid 65534; the docs/reliability.md row "unreadable file and directory" is not proven by this run' }, async () => {
    const src = path.join(tmp, 'partly-unreadable');
    mkdirSync(path.join(src, 'closed'), { recursive: true });
    mkdirSync(path.join(src, 'open'));
    writeFileSync(path.join(src, 'ok.txt'), 'fine\n');
    writeFileSync(path.join(src, 'open', 'inner.txt'), 'also fine\n');
    writeFileSync(path.join(src, 'secret.txt'), 'nobody may read this\n');
    writeFileSync(path.join(src, 'closed', 'hidden.txt'), 'behind a closed door\n');
    chmodSync(path.join(src, 'secret.txt'), 0o000);
    chmodSync(path.join(src, 'closed'), 0o000);
    const dest = path.join(tmp, 'unreadable-dest');
    const state = path.join(tmp, 'unreadable-state');
    for (const d of [dest, state]) {
      mkdirSync(d);
      chownSync(d, NOBODY, NOBODY);
    }
    const r = await runCli(['load', src, dest, '--state-path', state], { prefix: asNobody });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(summaryField(r.stdout, 'Final Job Status'), 'CompletedWithErrors');
    assert.equal(summaryField(r.stdout, 'Number of Transfers Failed'), '2');
    assert.equal(summaryField(r.stdout, 'Number of Transfers Completed'), '4');
    const problems = readFileSync(path.join(state, 'problems.txt'), 'utf8').split('\n').filter(Boolean).sort();
    assert.deepEqual(problems, [path.join(src, 'closed'), path.join(src, 'secret.txt')]);
    const log = readFileSync(path.join(state, 'output.txt'), 'utf8');
    assert.match(log, /secret\.txt.*(EACCES|permission denied)/i);
    assert.match(log, /closed.*(EACCES|permission denied)/i);
    // The container is finished, holds problems.txt, and verify accepts it (dangling entries are expected then).
    assert.ok(existsSync(path.join(dest, 'problems.txt')));
    const verify = await runCli(['verify', dest]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const out = path.join(tmp, 'unreadable-export');
    // export exits 1 for the two dangling entries the failed transfers left, and for nothing else
    const exported = await runCli(['export', dest, out]);
    assert.equal(exported.code, 1, exported.stdout + exported.stderr);
    const errors = exported.stderr.split('\n').filter((l) => l.startsWith('clfsload: error')).map((l) => /^clfsload: error (\S+): ([^:]+):/.exec(l)?.slice(1).join(' ')).sort();
    assert.deepEqual(errors, ['EXPORT_READ_FAILED closed', 'EXPORT_READ_FAILED secret.txt'], exported.stderr);
    const expected = snapshotTree(src).filter((n) => !/^(secret\.txt|closed)/.test(n.path));
    const actual = snapshotTree(out).filter((n) => n.path !== '.');
    assert.deepEqual(compareTrees(expected.filter((n) => n.path !== '.'), actual), []);
  });

  test('a non-empty destination is refused (exit 2) and left as it was', async () => {
    const dest = path.join(tmp, 'nonempty');
    mkdirSync(dest);
    writeFileSync(path.join(dest, 'precious.bin'), 'keep me');
    const r = await runCli(['load', basic, dest, '--state-path', path.join(tmp, 'nonempty-state')]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /is not empty.*\[CLFS_DEST_NOT_EMPTY\]/);
    assert.deepEqual(readdirSync(dest), ['precious.bin']);
    assert.equal(readFileSync(path.join(dest, 'precious.bin'), 'utf8'), 'keep me');
  });

  test('a bad SAS stops at once with one line (exit 3), never showing the signature', async () => {
    const good = await az.createContainer('badsas');
    const bad = good.replace(/sig=[^&]+/, `sig=${encodeURIComponent(Buffer.alloc(32, 9).toString('base64'))}`);
    const state = path.join(tmp, 'badsas-state');
    const r = await runCli(['load', basic, bad, '--state-path', state]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /\[CLFS_STORE_AUTH\]/);
    for (const text of [r.stdout, r.stderr, allText(state)]) {
      assert.ok(!text.includes(sigOf(bad)) && !text.includes(encodeURIComponent(sigOf(bad))), 'signature never shown or stored');
    }
    assert.deepEqual(await storeNames(openStore(good)), [], 'nothing written');
    // The refused job left no job behind: the same state dir works with a good SAS.
    const ok = await runCli(['load', basic, good, '--state-path', state]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    for (const text of [ok.stdout, ok.stderr, allText(state), ...(await storeNames(openStore(good))).filter((n) => n.endsWith('.txt'))]) {
      assert.ok(!text.includes(sigOf(good)), 'signature never shown, logged or stored');
    }
    const uploadedLog = Buffer.from(await openStore(good).get('output.txt')).toString();
    assert.ok(!uploadedLog.includes(sigOf(good)) && !uploadedLog.includes('sig='), 'uploaded log has no SAS');
  });

  test('a missing container stops at once (exit 3)', async () => {
    const r = await runCli(['load', basic, az.containerUrl('does-not-exist'), '--state-path', path.join(tmp, 'missing-state')]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /does not exist.*\[CLFS_STORE_CONTAINER_MISSING\]/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('a resume may use a new SAS for the same container; other changes are refused (exit 4)', async () => {
    const first = await az.createContainer('newsas');
    const state = path.join(tmp, 'newsas-state');
    const killed = await runCli(['load', basic, first, '--state-path', state], { env: { CLFSLOAD_TEST_KILL_AT: 'after-inode:5' } });
    assert.equal(killed.signal, 'SIGKILL');
    let second = az.containerUrl('newsas');
    while (sigOf(second) === sigOf(first)) {
      await new Promise((r) => setTimeout(r, 300));
      second = az.containerUrl('newsas');
    }
    const other = await runCli(['load', basic, first, '--state-path', state, '--compression-type', 'DISABLED']);
    assert.equal(other.code, 4, other.stdout + other.stderr);
    assert.match(other.stderr, /differs in --compression-type.*\[CLFS_STATE_MISMATCH\]/);
    const fresh = await runCli(['load', basic, first, '--state-path', state, '--new-session=true']);
    assert.equal(fresh.code, 4);
    assert.match(fresh.stderr, /already holds a job.*\[CLFS_STATE_EXISTS\]/);
    const resumed = await runCli(['load', basic, second, '--state-path', state, '--new-session=false']);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /Resuming load/);
    const verify = await runCli(['verify', second]);
    assert.equal(verify.code, 0, verify.stdout);
    // And once done, running it again only prints the summary.
    const again = await runCli(['load', basic, second, '--state-path', state]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already completed; nothing was written/);
    assert.equal(summaryField(again.stdout, 'Final Job Status'), 'Completed');
  });
});
