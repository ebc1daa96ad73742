/**
 * Who owns a destination (issue 23, items 4, 5, 8, 10, 11): two jobs racing on one empty
 * destination, a destination emptied or replaced under a job, destinations that cannot be made,
 * and sources that would load the wrong thing. Every case runs the real CLI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAzurite, type Azurite } from '../helpers/azurite.js';
import { makeTree } from '../helpers/tree.js';
import { repoRoot } from '../helpers/paths.js';
import { openStore } from '../../src/store/open-store.js';
import { listAll } from '../../src/store/blob-store.js';
import { asNobody, assertVerifyClean, runCli, tempDir, type CliResult } from './rel-helpers.js';

/** The built race preload (see race-barrier-preload.ts). */
const racePreload = (() => {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.js') ? path.join(path.dirname(here), 'race-barrier-preload.js') : path.join(repoRoot, 'dist', 'test', 'reliability', 'race-barrier-preload.js');
})();

/** The single stderr line of a refused run: no stack trace, no "internal error". */
function oneLine(r: CliResult): string {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  assert.doesNotMatch(lines[0], /internal error/);
  return lines[0];
}

async function blobNames(location: string): Promise<string[]> {
  const store = openStore(location);
  try {
    const names: string[] = [];
    for await (const b of listAll(store)) names.push(b.name);
    return names;
  } finally {
    await store.close?.();
  }
}

/**
 * A proxy in front of Azurite that holds the answers to container listings until `count` of them
 * have arrived, so every racing job sees the container empty before any can claim it.
 */
async function startListBarrier(target: string, count: number): Promise<{ origin: string; close: () => Promise<void> }> {
  const held: (() => void)[] = [];
  let open = false;
  const release = () => {
    open = true;
    for (const send of held.splice(0)) send();
  };
  const timer = setTimeout(release, 60_000);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const isList = req.method === 'GET' && /[?&]comp=list/.test(req.url ?? '');
    const up = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers, agent }, (upRes) => {
      const send = () => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      };
      if (!isList || open) return send();
      held.push(send);
      if (held.length >= count) release();
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: async () => {
      clearTimeout(timer);
      release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

describe('destination ownership', { concurrency: 1 }, () => {
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  let other: string;
  let az: Azurite;
  let n = 0;
  const p = (name: string) => path.join(tmp.dir, name);
  const fresh = (prefix: string) => p(`${prefix}-${n++}`);

  before(async () => {
    tmp = tempDir('destclaim');
    chmodSync(tmp.dir, 0o755);
    src = p('src');
    makeTree('basic', src);
    other = p('other');
    makeTree('special', other);
    az = await startAzurite();
  });
  after(async () => {
    await az?.stop();
    tmp?.cleanup();
  });

  /** Two jobs (two state dirs) started together on one empty destination, both past the emptiness check. */
  async function race(dest: string, env: NodeJS.ProcessEnv): Promise<CliResult[]> {
    return Promise.all([src, other].map((s) => runCli(['load', s, dest, '--state-path', fresh('race-state')], { env })));
  }

  function assertOneWinner(results: CliResult[]): number {
    const codes = results.map((r) => r.code);
    assert.deepEqual([...codes].sort(), [0, 2], `exactly one job loads, the other is refused: ${results.map((r) => `${r.code}: ${r.stderr}`).join('\n')}`);
    const loser = results[codes.indexOf(2)];
    assert.match(oneLine(loser), /is not empty: it holds the bucket object of another job .*\[CLFS_DEST_NOT_EMPTY\]/);
    return codes.indexOf(0);
  }

  test('two jobs racing on one empty local destination: one loads, the other fails with CLFS_DEST_NOT_EMPTY and writes nothing', async () => {
    for (let round = 0; round < 3; round++) {
      const dest = fresh('race-dest');
      mkdirSync(dest);
      const arrivals = mkdtempSync(path.join(tmp.dir, 'arrivals-'));
      const env = { CLFS_RACE_DEST: dest, CLFS_RACE_DIR: arrivals, CLFS_RACE_COUNT: '2', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${racePreload}`.trim() };
      const results = await race(dest, env);
      assert.equal(readdirSync(arrivals).length, 2, 'both jobs listed the destination before either claimed it');
      assertOneWinner(results);
      await assertVerifyClean(dest);
    }
  });

  test('two jobs racing on one empty Azure container (Azurite): one loads, the other fails with CLFS_DEST_NOT_EMPTY', async () => {
    for (let round = 0; round < 2; round++) {
      const url = await az.createContainer(`race-${round}`);
      const direct = new URL(url);
      // each job lists twice at its start (access check and emptiness check, side by side)
      const barrier = await startListBarrier(direct.origin, 4);
      try {
        const results = await race(url.replace(direct.origin, barrier.origin), {});
        assertOneWinner(results);
      } finally {
        await barrier.close();
      }
      await assertVerifyClean(url);
    }
  });

  test('killed right after claiming the destination: the same command resumes (the bucket object is its own)', async () => {
    const dest = fresh('claimed');
    const state = fresh('claimed-state');
    const killed = await runCli(['load', src, dest, '--state-path', state], { env: { CLFSLOAD_TEST_KILL_AT: 'after-bucket:1' } });
    assert.equal(killed.signal, 'SIGKILL');
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(r.code, 0, r.stderr);
    await assertVerifyClean(dest);
  });

  test('a destination emptied after a partial load: the resume is refused (exit 4, CLFS_DEST_MISMATCH) and writes nothing', async () => {
    const dest = fresh('emptied');
    const state = fresh('emptied-state');
    const killed = await runCli(['load', src, dest, '--state-path', state], { env: { CLFSLOAD_TEST_KILL_AT: 'after-inode:5' } });
    assert.equal(killed.signal, 'SIGKILL');
    for (const name of readdirSync(dest)) rmSync(path.join(dest, name));
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['load', src, dest, '--state-path', state]);
      assert.equal(r.code, 4, r.stdout + r.stderr);
      assert.match(oneLine(r), /no longer holds this job's bucket object .*\[CLFS_DEST_MISMATCH\]/);
      assert.deepEqual(readdirSync(dest), [], 'nothing was written');
    }
  });

  test('a finished job whose destination was emptied, or replaced by another job\'s: refused (exit 4), not "Completed"; intact, it still prints its summary', async () => {
    const dest = fresh('finished');
    const state = fresh('finished-state');
    assert.equal((await runCli(['load', src, dest, '--state-path', state])).code, 0);
    const again = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /This job already completed/);

    for (const name of readdirSync(dest)) rmSync(path.join(dest, name));
    const emptied = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(emptied.code, 4, emptied.stdout + emptied.stderr);
    assert.match(oneLine(emptied), /no longer holds this job's bucket object .*\[CLFS_DEST_MISMATCH\]/);
    assert.doesNotMatch(emptied.stdout, /Completed/);

    assert.equal((await runCli(['load', other, dest, '--state-path', fresh('replacing-state')])).code, 0);
    const replaced = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(replaced.code, 4, replaced.stdout + replaced.stderr);
    assert.match(oneLine(replaced), /holds another job's bucket object \(bucketUUID [0-9a-f-]{36}; this job's is [0-9a-f-]{36}\).*\[CLFS_DEST_MISMATCH\]/);
    await assertVerifyClean(dest);
  });

  test('an Azure container emptied after a partial load: the resume is refused (exit 4)', async () => {
    const url = await az.createContainer('emptied');
    const state = fresh('az-emptied-state');
    const killed = await runCli(['load', src, url, '--state-path', state], { env: { CLFSLOAD_TEST_KILL_AT: 'after-inode:5' } });
    assert.equal(killed.signal, 'SIGKILL');
    const store = openStore(url);
    for (const name of await blobNames(url)) await store.delete(name);
    await store.close?.();
    const r = await runCli(['load', src, url, '--state-path', state]);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(oneLine(r), /\[CLFS_DEST_MISMATCH\]/);
    assert.deepEqual(await blobNames(url), []);
  });

  describe('a local destination that cannot be made: one line, exit 3', () => {
    const refused = async (dest: string, message: RegExp, prefix?: string[]) => {
      const state = fresh('mk-state');
      const r = await runCli(['load', src, dest, '--state-path', state], { prefix, timeoutMs: 60_000 });
      assert.equal(r.signal, null, 'ends by itself');
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(oneLine(r), message);
      assert.equal(existsSync(state), false, 'no state directory is left behind');
    };

    test('a file, a FIFO, /dev/null, below a file', async () => {
      const file = p('a-file');
      writeFileSync(file, 'not a directory');
      const fifo = p('a-fifo');
      execFileSync('mkfifo', [fifo]);
      await refused(file, /exists and is a file, not a directory \[CLFS_STORE_IO\]/);
      await refused(fifo, /exists and is a FIFO, not a directory \[CLFS_STORE_IO\]/);
      await refused('/dev/null', /\/dev\/null exists and is a character device, not a directory \[CLFS_STORE_IO\]/);
      await refused(path.join(file, 'below', 'deeper'), /a-file is a file, not a directory \[CLFS_STORE_IO\]/);
    });

    test('under /proc: refused at once, no endless loop', async () => {
      await refused('/proc/sys/x', /\/proc\/sys\/x: cannot create a directory there .*\[CLFS_STORE_IO\]/);
      await refused('/proc/sys/x/y/z', /cannot create a directory there .*\[CLFS_STORE_IO\]/);
    });

    test('no permission to create it (unprivileged user)', { skip: process.getuid?.() !== 0 && 'needs root to switch users' }, async () => {
      const locked = p('locked');
      mkdirSync(locked, { mode: 0o755 });
      const state = fresh('nobody-state');
      mkdirSync(state, { mode: 0o700 });
      execFileSync('chown', ['65534:65534', state]);
      const r = await runCli(['load', src, path.join(locked, 'dest', 'deeper'), '--state-path', state], { prefix: asNobody });
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(oneLine(r), /locked\/dest: permission denied \(cannot create the directory\) \[CLFS_STORE_AUTH\]/);
      assert.deepEqual(readdirSync(locked), []);
    });

    test('missing parents are still created', async () => {
      const dest = path.join(fresh('nested'), 'a', 'b');
      const r = await runCli(['load', src, dest, '--state-path', fresh('nested-state')]);
      assert.equal(r.code, 0, r.stderr);
      await assertVerifyClean(dest);
    });
  });

  test('a source that is a symbolic link to a directory: refused up front (exit 2), with or without a trailing slash; nothing written', async () => {
    const link = p('linksrc');
    symlinkSync(src, link);
    for (const given of [link, `${link}/`, `${link}/.`]) {
      const dest = fresh('link-dest');
      const state = fresh('link-state');
      const r = await runCli(['load', given, dest, '--state-path', state]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(oneLine(r), `clfsload: source ${given} is a symbolic link (to ${src}); give the real path [CLFS_SOURCE_SYMLINK]`);
      assert.ok(!existsSync(dest), 'no destination made');
      assert.ok(!existsSync(state), 'no state made');
    }
  });

  test('source = destination: refused (exit 2), also through a symlink; nothing written', async () => {
    // empty to the store (a directory holds no blob), so only this check stops the load
    const e1 = p('e1');
    mkdirSync(path.join(e1, 'sub'), { recursive: true });
    const e1link = p('e1link');
    symlinkSync(e1, e1link);
    for (const dest of [e1, `${e1}/.`, e1link]) {
      const r = await runCli(['load', e1, dest, '--state-path', fresh('same-state')]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(oneLine(r), /are the same directory.*\[CLFS_SOURCE_IS_DEST\]/);
      assert.deepEqual(readdirSync(e1), ['sub']);
    }
  });

  test('a destination inside the source is not loaded (excluded by dev:ino)', async () => {
    const s = p('outer');
    makeTree('basic', s);
    const dest = path.join(s, 'container');
    const r = await runCli(['load', s, dest, '--state-path', fresh('inside-state')]);
    assert.equal(r.code, 0, r.stderr);
    await assertVerifyClean(dest);
    const out = fresh('inside-export');
    assert.equal((await runCli(['export', dest, out])).code, 0);
    assert.deepEqual(readdirSync(out).sort(), readdirSync(s).filter((e) => e !== 'container').sort());
  });
});
