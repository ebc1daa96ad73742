/** ls and cat on the reference fixtures, in-process through runCli. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cli, fixtureContainer, readManifest } from '../read/read-helpers.js';

const basic = fixtureContainer('basic');

test('cat small.txt prints its content', async () => {
  const r = await cli(['cat', basic, 'small.txt']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString('utf8'), 'hello, clfs\n');
});

test('cat follows nested and unicode paths', async () => {
  const r = await cli(['cat', basic, '/ünïcødé-dîr/файл-ファイル-🚀.txt']);
  assert.equal(r.stdout.toString('utf8'), 'unicode content ✓\n');
  const s = await cli(['cat', basic, 'dir with space/file with space.txt']);
  assert.equal(s.stdout.toString('utf8'), 'spaces inside\n');
});

test('cat of multi-segment files matches the manifest sha256', async () => {
  for (const [variant, p] of [['bigfile', 'big-compressible.bin'], ['bigfile', 'random-1m.bin'], ['basic', 'twenty-k.bin'], ['basic', '16k-plus-1.bin'], ['basic', 'exactly-16k.bin']]) {
    const r = await cli(['cat', fixtureContainer(variant), p]);
    assert.equal(r.code, 0);
    const want = readManifest(variant).entries.find((e) => e.path === p)!;
    assert.equal(r.stdout.length, want.size, p);
    assert.equal(createHash('sha256').update(r.stdout).digest('hex'), want.sha256, p);
  }
});

test('cat of a missing path, a directory or a symlink fails with one line', async () => {
  for (const [p, code] of [['nope.txt', 'CLFS_READ_NOT_FOUND'], ['d1/nope/x', 'CLFS_READ_NOT_FOUND'], ['d1', 'CLFS_READ_NOT_A_FILE'], ['link-to-file', 'CLFS_READ_NOT_A_FILE'], ['small.txt/x', 'CLFS_READ_NOT_A_DIRECTORY']]) {
    const r = await cli(['cat', basic, p]);
    assert.notEqual(r.code, 0, p);
    assert.equal(r.stdout.length, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`\\[${code}\\]`), p);
  }
});

test('ls lists the root in stored order, the same names as the manifest', async () => {
  const r = await cli(['ls', basic]);
  assert.equal(r.code, 0);
  const names = r.stdout.toString('utf8').trimEnd().split('\n');
  const want = readManifest('basic').entries.map((e) => e.path).filter((p) => p !== '.' && !p.includes('/'));
  assert.deepEqual([...names].sort(), [...want].sort());
});

test('ls -l shows mode, nlink, owner, size, mtime to the ns, and symlink targets', async () => {
  const r = await cli(['ls', basic, '-l']);
  const lines = r.stdout.toString('utf8').split('\n');
  // the name column follows the nanosecond time; match it exactly (d1 must not match "link-to-dir -> d1")
  const line = (name: string) => lines.find((l) => l.split(/\.\d{9} /)[1]?.split(' -> ')[0] === name);
  assert.match(line('small.txt')!, /^-rw-r--r-- +1 +0 +0 +12 2020-09-13 13:50:00\.123456716 small\.txt$/);
  assert.match(line('setuid-4755.bin')!, /^-rwsr-xr-x /);
  assert.match(line('sticky')!, /^drwxrwxrwt +2 /);
  assert.match(line('owned-1234-5678.txt')!, / 1234 +5678 +6 /);
  assert.match(line('link-to-file')!, /^lrwxrwxrwx .* link-to-file -> small\.txt$/);
  assert.match(line('d1')!, /^drwxr-xr-x +3 /);
});

test('ls -R walks subdirectories depth first with headers', async () => {
  const r = await cli(['ls', basic, 'd1', '-R']);
  assert.equal(r.stdout.toString('utf8'), 'd1:\nd2\nmid.txt\n\nd1/d2:\nd3\n\nd1/d2/d3:\ndeep.txt\n');
});

test('ls of a file prints that entry; ls -l of a device shows major, minor', async () => {
  const r = await cli(['ls', basic, 'd1/mid.txt', '-l']);
  assert.match(r.stdout.toString('utf8'), /^-rw-r--r-- +1 +0 +0 +4096 2020-09-13 13:50:01\.500000000 d1\/mid\.txt\n$/);
  const d = await cli(['ls', fixtureContainer('special'), 'dev', '-l']);
  assert.match(d.stdout.toString('utf8'), /^crw--w---- .* 1, 3 .* chr-1-3$/m);
  assert.match(d.stdout.toString('utf8'), /^brw-r--r-- .* 7, 0 .* blk-7-0$/m);
  assert.match(d.stdout.toString('utf8'), /^prw-r----- .* fifo$/m);
  assert.match(d.stdout.toString('utf8'), /^srw.* socket$/m);
});

test('ls of a missing path fails', async () => {
  const r = await cli(['ls', basic, 'no/such']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no: no such file or directory \[CLFS_READ_NOT_FOUND\]/);
});
