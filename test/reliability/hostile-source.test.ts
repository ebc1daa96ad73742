/**
 * Hostile source trees through the built CLI.
 * - Names a shell or a UTF-8 decoder trips on (newline, invalid UTF-8, 255 bytes ASCII and
 *   multibyte, leading dash, glob and escape characters), a path 400 levels deep, and symlink
 *   loops (self, two-cycle, to `..` and to `/`), which are stored as links and never followed:
 *   verify finds nothing and the export is byte-for-byte the source.
 * - Entries that change under the loader (made precise by the chaos preload): a file and a
 *   directory that vanish between the scan and their read, small and large files that grow or
 *   shrink right after the loader's fstat. Each fails alone (logged, problems.txt, exit 1), no
 *   inode is ever written with a length that disagrees with its data, nothing else is lost.
 * (1030 hard links and the sparse 9 GiB file are covered in test/load/hardlink-limit.test.ts and
 * test/load/sparse-big-file.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { snapshotTree, compareTrees } from '../helpers/tree.js';
import { summaryField } from '../helpers/load-run.js';
import { describeContainer, dirBlobs, independentDiff } from '../helpers/independent-walk.js';
import { assertExportEquals, assertVerifyClean, chaosEnv, runCli, tempDir, verify } from './rel-helpers.js';

describe('hostile source trees', { concurrency: 1 }, () => {
  let tmp: { dir: string; cleanup: () => void };
  before(() => {
    tmp = tempDir('hostile');
  });
  after(() => tmp?.cleanup());

  test('odd names, a path 400 levels deep and symlink loops round-trip exactly', async () => {
    const src = path.join(tmp.dir, 'names');
    const b = (...parts: (string | Buffer)[]) => Buffer.concat([Buffer.from(src), ...parts.flatMap((x) => [Buffer.from('/'), Buffer.from(x)])]);
    mkdirSync(src);
    const names: (string | Buffer)[] = [
      'line\nbreak', Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x74]), Buffer.from([0xc3, 0x28]), 'n'.repeat(255),
      '€'.repeat(85), '-rf', '*?[a]', 'back\\slash', ' lead and trail ', 'tab\there', '\u00e9\u0301 combining',
    ];
    for (const [i, n] of names.entries()) writeFileSync(b(n), `file ${i}\n`);
    mkdirSync(b(Buffer.from([0x64, 0x69, 0x72, 0x80])));
    writeFileSync(b(Buffer.from([0x64, 0x69, 0x72, 0x80]), 'inside'), 'in a non-UTF-8 directory\n');
    let deep = path.join(src, 'deep');
    for (let i = 0; i < 400; i++) deep = path.join(deep, 'd');
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, 'bottom.txt'), 'four hundred levels down\n');
    symlinkSync('self', path.join(src, 'self'));
    symlinkSync('cycle-b', path.join(src, 'cycle-a'));
    symlinkSync('cycle-a', path.join(src, 'cycle-b'));
    symlinkSync('..', path.join(src, 'up'));
    symlinkSync('/', path.join(src, 'root'));
    symlinkSync('.', path.join(deep, 'here'));

    const dest = path.join(tmp.dir, 'names-dest');
    const r = await runCli(['load', src, dest, '--state-path', path.join(tmp.dir, 'names-state')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const expected = snapshotTree(src);
    assert.equal(summaryField(r.stdout, 'Total Number Of Transfers'), String(expected.length), 'every entry once: no link was followed');
    await assertVerifyClean(dest);
    await assertExportEquals(dest, src, tmp.dir);
    assert.deepEqual(await independentDiff(dest, src), []);
  });

  test('entries that vanish, grow or shrink under the loader fail alone; nothing else is lost', async () => {
    const src = path.join(tmp.dir, 'changing');
    mkdirSync(path.join(src, 'gone-dir', 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'gone-dir', 'sub', 'x.txt'), 'never read\n');
    const write = (name: string, bytes: number) => writeFileSync(path.join(src, name), Buffer.alloc(bytes, name));
    write('stable.txt', 100);
    write('gone.txt', 100);
    write('grows-small.txt', 5000);
    write('shrinks-small.txt', 5000);
    write('grows-big.bin', 9 << 20);
    write('shrinks-big.bin', 9 << 20);
    const victims = ['gone.txt', 'gone-dir', 'grows-small.txt', 'shrinks-small.txt', 'grows-big.bin', 'shrinks-big.bin'];
    const before = snapshotTree(src);
    const rules = [
      { match: '/changing/gone.txt', action: 'vanish' },
      { match: '/changing/gone-dir', action: 'vanish' },
      { match: '/changing/grows-small.txt', action: 'grow' },
      { match: '/changing/shrinks-small.txt', action: 'shrink' },
      { match: '/changing/grows-big.bin', action: 'grow' },
      { match: '/changing/shrinks-big.bin', action: 'shrink' },
    ];
    const dest = path.join(tmp.dir, 'changing-dest');
    const state = path.join(tmp.dir, 'changing-state');
    const r = await runCli(['load', src, dest, '--state-path', state, '--max-errors', '0'], { env: chaosEnv({ CLFS_CHAOS_FS: JSON.stringify(rules) }) });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(summaryField(r.stdout, 'Final Job Status'), 'CompletedWithErrors');
    assert.equal(summaryField(r.stdout, 'Number of Transfers Failed'), String(victims.length));
    const problems = readFileSync(path.join(state, 'problems.txt'), 'utf8').split('\n').filter(Boolean).sort();
    assert.deepEqual(problems, victims.map((v) => path.join(src, v)).sort());
    const log = readFileSync(path.join(state, 'output.txt'), 'utf8');
    assert.match(log, /gone\.txt.*(ENOENT|no such file)/);
    assert.match(log, /gone-dir.*(ENOENT|no such file)/);
    for (const v of ['grows-small.txt', 'grows-big.bin']) assert.match(log, new RegExp(`${v}.*grew while being read`));
    for (const v of ['shrinks-small.txt', 'shrinks-big.bin']) assert.match(log, new RegExp(`${v}.*shrank while being read`));

    // no inode disagrees with its data, nothing is orphaned; only the failed entries dangle (warnings)
    const v = await verify(dest);
    assert.equal(v.code, 0, JSON.stringify(v.report.findings, null, 1));
    assert.equal(v.report.errors, 0);
    const dangling = v.report.findings.filter((f) => f.code === 'VERIFY_DANGLING').map((f) => f.path).sort();
    assert.deepEqual(dangling, victims.sort());
    assert.ok(v.report.findings.every((f) => f.code === 'VERIFY_DANGLING' || f.code === 'VERIFY_PROBLEMS_FILE'), JSON.stringify(v.report.codes));

    // export reports each dangling entry (as an error: unlike verify it does not downgrade them
    // when problems.txt exists) and writes everything else
    const out = path.join(tmp.dir, 'changing-export');
    const e = await runCli(['export', dest, out, '--output-type', 'json']);
    const issues = (JSON.parse(e.stdout) as { issues: { code: string; path: string }[] }).issues;
    assert.deepEqual(issues.map((i) => i.path).sort(), victims.sort(), e.stdout);
    const kept = before.filter((n) => !victims.some((x) => n.path === x || n.path.startsWith(`${x}/`)) && n.path !== '.');
    assert.deepEqual(compareTrees(kept, snapshotTree(out).filter((n) => n.path !== '.'), { mtimeToleranceNs: 2000n }), []);
    // the victims changed since the scan: only what stayed the same is compared
    assert.deepEqual(await independentDiff(dest, src, { exclude: victims }), []);
  });

  test('entries swapped after the scan for a FIFO or a symlink out of the tree: never followed, never hang', { timeout: 40_000 }, async () => {
    const src = path.join(tmp.dir, 'swapped');
    const outside = path.join(tmp.dir, 'outside');
    mkdirSync(path.join(outside, 'secret-dir'), { recursive: true });
    writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET: outside the source tree\n');
    writeFileSync(path.join(outside, 'secret-dir', 'inner-secret.txt'), 'TOP SECRET too\n');
    mkdirSync(path.join(src, 'dir-victim'), { recursive: true });
    writeFileSync(path.join(src, 'dir-victim', 'own.txt'), 'belongs here\n');
    for (const f of ['stable.txt', 'fifo-victim.txt', 'link-victim.txt']) writeFileSync(path.join(src, f), `${f}\n`);
    const rules = [
      { match: path.join(src, 'fifo-victim.txt'), action: 'fifo', at: 'lstat' },
      { match: path.join(src, 'link-victim.txt'), action: 'symlink', target: path.join(outside, 'secret.txt'), at: 'lstat' },
      { match: path.join(src, 'dir-victim'), action: 'symlink', target: path.join(outside, 'secret-dir'), at: 'lstat' },
    ];
    const dest = path.join(tmp.dir, 'swapped-dest');
    const state = path.join(tmp.dir, 'swapped-state');
    const r = await runCli(['load', src, dest, '--state-path', state], { env: chaosEnv({ CLFS_CHAOS_FS: JSON.stringify(rules) }), timeoutMs: 15_000 });
    assert.equal(r.signal, null, `the load finished by itself (a FIFO open must not block): ${r.stdout.slice(-400)}`);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const problems = readFileSync(path.join(state, 'problems.txt'), 'utf8').split('\n').filter(Boolean).sort();
    assert.deepEqual(problems, ['dir-victim', 'fifo-victim.txt', 'link-victim.txt'].map((v) => path.join(src, v)));
    // each one is logged with its path and the reason it was refused
    const log = readFileSync(path.join(state, 'output.txt'), 'utf8').split('\n');
    const logged = (victim: string) => log.filter((l) => l.includes(path.join(src, victim))).join('\n');
    assert.match(logged('fifo-victim.txt'), /ERROR .*fifo-victim\.txt: is no longer a regular file \(it changed after the scan\)/);
    assert.match(logged('link-victim.txt'), /ERROR .*link-victim\.txt: changed type after the scan; not followed \(ELOOP\)/);
    // O_NOFOLLOW | O_DIRECTORY on a symlink: Linux answers ENOTDIR
    assert.match(logged('dir-victim'), /ERROR cannot read directory .*dir-victim: changed type after the scan; not followed \(ENOTDIR\)/);
    for (const blob of readdirSync(dest)) {
      assert.ok(!readFileSync(path.join(dest, blob)).toString('latin1').includes('TOP SECRET'), `${blob} holds data from outside the tree`);
    }
    const v = await verify(dest);
    assert.equal(v.report.errors, 0, JSON.stringify(v.report.findings));
    // everything else is the source as it is: the victims are now a FIFO and two symlinks out
    assert.deepEqual(await independentDiff(dest, src, { exclude: ['dir-victim', 'fifo-victim.txt', 'link-victim.txt'] }), []);
  });

  test('a path longer than PATH_MAX (4096 bytes) fails alone, listed in problems.txt; everything above it loads', async (t) => {
    const src = path.join(tmp.dir, 'toolong');
    mkdirSync(src);
    // 300 levels of 14-byte names: ~4.5 KB; built with relative steps, which no absolute path limit stops
    execFileSync('bash', ['-c', 'cd "$1" && for i in $(seq 300); do mkdir dddddddddddddd && cd dddddddddddddd || exit 1; done; echo bottom > f.txt', 'bash', src]);
    // rm(1) walks with openat; fs.rmSync would hit the same limit
    t.after(() => execFileSync('rm', ['-rf', src]));
    const dest = path.join(tmp.dir, 'toolong-dest');
    const state = path.join(tmp.dir, 'toolong-state');
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(summaryField(r.stdout, 'Number of Transfers Failed'), '1');
    const problems = readFileSync(path.join(state, 'problems.txt'), 'utf8').split('\n').filter(Boolean);
    assert.equal(problems.length, 1);
    // the failing entry is the shallowest one whose path no longer fits PATH_MAX (4096 bytes with its NUL)
    const level = (k: number) => Array(k).fill('dddddddddddddd').join('/');
    const depth = Array.from({ length: 300 }, (_, i) => i + 1).find((k) => Buffer.byteLength(path.join(src, level(k))) >= 4096)!;
    assert.equal(problems[0], path.join(src, level(depth)));
    assert.match(readFileSync(path.join(state, 'output.txt'), 'utf8'), /ENAMETOOLONG/);
    const v = await verify(dest);
    assert.equal(v.code, 0, JSON.stringify(v.report.findings));
    assert.equal(v.report.errors, 0);
    // exactly the root and every directory above it were loaded; its parent does not name it (an
    // entry that cannot be stat'ed is left out of its directory, §9.1)
    assert.equal(summaryField(r.stdout, 'Number of Transfers Completed'), String(depth));
    const { entries, faults } = await describeContainer(dirBlobs(dest));
    assert.deepEqual(faults, []);
    const expected = [{ path: '.', type: 'dir' }, ...Array.from({ length: depth - 1 }, (_, i) => ({ path: level(i + 1), type: 'dir' }))];
    assert.deepEqual(entries.map((e) => ({ path: e.path, type: e.type })), expected);
  });

  test('timestamps outside the format (before 1970, after 2106) fail alone, with their path in the log', async () => {
    const src = path.join(tmp.dir, 'times');
    mkdirSync(src);
    for (const f of ['old.txt', 'future.txt', 'fine.txt']) writeFileSync(path.join(src, f), `${f}\n`);
    utimesSync(path.join(src, 'old.txt'), new Date('1960-01-01T00:00:00Z'), new Date('1960-01-01T00:00:00Z'));
    utimesSync(path.join(src, 'future.txt'), new Date('2200-01-01T00:00:00Z'), new Date('2200-01-01T00:00:00Z'));
    const dest = path.join(tmp.dir, 'times-dest');
    const state = path.join(tmp.dir, 'times-state');
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(summaryField(r.stdout, 'Number of Transfers Failed'), '2');
    const problems = readFileSync(path.join(state, 'problems.txt'), 'utf8').split('\n').filter(Boolean).sort();
    assert.deepEqual(problems, [path.join(src, 'future.txt'), path.join(src, 'old.txt')]);
    const log = readFileSync(path.join(state, 'output.txt'), 'utf8');
    for (const f of ['old.txt', 'future.txt']) assert.match(log, new RegExp(`ERROR .*${f}.*does not fit`), `the log names ${f}`);
    const v = await verify(dest);
    assert.equal(v.report.errors, 0, JSON.stringify(v.report.findings));
  });
});
