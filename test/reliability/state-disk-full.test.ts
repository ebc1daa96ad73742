/**
 * The state directory's disk fills up mid-job (a 300 KiB tmpfs; root only, skipped where mount is
 * not allowed): the load stops with exit 4 and one line saying what happened and what to do — not
 * an internal error with a stack — and once there is room, the same command resumes and completes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertVerifyClean, runCli, tempDir } from './rel-helpers.js';

const tmp = tempDir('diskfull');
const mnt = path.join(tmp.dir, 'small-disk');
mkdirSync(mnt);
const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', mnt]).status === 0;

before(() => {
  const src = path.join(tmp.dir, 'tree');
  for (let d = 0; d < 20; d++) {
    mkdirSync(path.join(src, `d${d}`), { recursive: true });
    for (let f = 0; f < 200; f++) writeFileSync(path.join(src, `d${d}`, `a-file-with-a-longish-name-${f}`), 'x');
  }
});
after(() => {
  if (mounted) spawnSync('umount', [mnt]);
  tmp.cleanup();
});

test('state disk full: exit 4, one line with what to do; with room, the job resumes', { skip: !mounted && 'needs root and mount(8) for a tiny tmpfs' }, async () => {
  const src = path.join(tmp.dir, 'tree');
  const dest = path.join(tmp.dir, 'dest');
  const state = path.join(mnt, 'state');
  const r = await runCli(['load', src, dest, '--state-path', state]);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /state directory .*disk is full.*free space.*run the same command again.*\[CLFS_STATE_FULL\]/);
  execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
  const again = await runCli(['load', src, dest, '--state-path', state]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /Resuming load/);
  await assertVerifyClean(dest);
});
