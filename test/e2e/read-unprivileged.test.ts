/**
 * verify and export run as an unprivileged user (uid 65534) through the built CLI: no ownership
 * restored (a warning), device nodes skipped, everything else exported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/load-run.js';
import { fixtureContainer, tempDir } from '../read/read-helpers.js';

const NOBODY = 65534;
const prefix = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];
// A missing built CLI is a failure here, as in every other e2e test (runCli then exits non-zero).
const skip = process.getuid?.() !== 0 ? 'NOT RUN: needs root to run the CLI as uid 65534' : false;

test('verify and export as an unprivileged user', { skip }, async () => {
  const t = tempDir();
  try {
    chmodSync(t.dir, 0o755);
    for (const v of ['basic', 'special']) {
      const copy = path.join(t.dir, v);
      cpSync(fixtureContainer(v), copy, { recursive: true });
      chmodSync(copy, 0o755);
      for (const f of readdirSync(copy)) chmodSync(path.join(copy, f), 0o644);
    }
    const work = path.join(t.dir, 'work');
    mkdirSync(work);
    chownSync(work, NOBODY, NOBODY);
    const v = await runCli(['verify', path.join(t.dir, 'basic')], { prefix });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const e = await runCli(['export', path.join(t.dir, 'special'), path.join(work, 'special'), '--output-type', 'json'], { prefix });
    assert.equal(e.code, 0, e.stderr);
    const codes = (JSON.parse(e.stdout) as { issues: { code: string }[] }).issues.map((i) => i.code).sort();
    assert.deepEqual(codes, ['EXPORT_NO_OWNERSHIP', 'EXPORT_SKIPPED_DEVICE', 'EXPORT_SKIPPED_DEVICE', 'EXPORT_SKIPPED_SOCKET']);
    assert.deepEqual(readdirSync(path.join(work, 'special', 'dev')), ['fifo']);
    const b = await runCli(['export', path.join(t.dir, 'basic'), path.join(work, 'basic')], { prefix });
    assert.equal(b.code, 0, b.stderr);
    const owned = lstatSync(path.join(work, 'basic', 'owned-1234-5678.txt'));
    assert.equal(owned.uid, NOBODY);
    assert.equal(lstatSync(path.join(work, 'basic', 'setuid-4755.bin')).mode & 0o7777, 0o4755);
    assert.equal(lstatSync(path.join(work, 'basic', 'private')).mode & 0o7777, 0o700);
  } finally {
    t.cleanup();
  }
});
