/**
 * An export destination that cannot be used (issue 23 items 7 and 8): a file, a FIFO, /dev/null,
 * a path under a file, a symlink, a path under /proc (Node's recursive mkdir spins forever there),
 * or one the user may not create. Each: one line on stderr with CLFS_EXPORT_DEST, exit 2 (a bad
 * argument, like a non-empty destination), no stack, and nothing created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixtureContainer } from '../read/read-helpers.js';
import { asNobody, runCli, tempDir } from './rel-helpers.js';

const asRoot = process.getuid?.() === 0;

async function refused(dest: string, prefix?: string[]): Promise<string> {
  const r = await runCli(['export', fixtureContainer('basic'), dest], { prefix, timeoutMs: 30_000 });
  assert.equal(r.signal, null, 'export ended by itself');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^clfsload: export destination: .*\[CLFS_EXPORT_DEST\]$/);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(r.stdout, '');
  return lines[0];
}

test('export to a file, a FIFO, /dev/null, under a file, or a symlink: one line, exit 2', async () => {
  const t = tempDir('export-dest');
  try {
    writeFileSync(path.join(t.dir, 'file'), 'x');
    execFileSync('mkfifo', [path.join(t.dir, 'fifo')]);
    mkdirSync(path.join(t.dir, 'empty'));
    symlinkSync('empty', path.join(t.dir, 'link'));
    assert.match(await refused(path.join(t.dir, 'file')), /exists and is not a directory/);
    assert.match(await refused(path.join(t.dir, 'fifo')), /exists and is not a directory/);
    assert.match(await refused('/dev/null'), /exists and is not a directory/);
    assert.match(await refused(path.join(t.dir, 'file', 'sub')), /a parent is not a directory/);
    assert.match(await refused(path.join(t.dir, 'link')), /is a symbolic link/);
    assert.deepEqual(readdirSync(path.join(t.dir, 'empty')), [], 'nothing written through the link');
  } finally {
    t.cleanup();
  }
});

test('export to a path under /proc fails at once instead of spinning', async () => {
  for (const dest of ['/proc/self/x', '/proc/sys/clfsload-x/y']) assert.match(await refused(dest), /cannot create/);
});

test('export where the user may not create the destination: one line, exit 2', { skip: !asRoot && 'needs root and setpriv' }, async () => {
  const t = tempDir('export-dest-perm');
  try {
    mkdirSync(path.join(t.dir, 'closed'), { mode: 0o700 }); // root's, and tempDir is 0700 too
    assert.match(await refused(path.join(t.dir, 'closed', 'x', 'y'), asNobody), /permission denied \(EACCES\)/);
    assert.equal(existsSync(path.join(t.dir, 'closed', 'x')), false);
  } finally {
    t.cleanup();
  }
});
