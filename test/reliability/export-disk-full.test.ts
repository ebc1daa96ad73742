/**
 * export onto a file system that fills up (issue 23 item 19): each file that does not fit is an
 * EXPORT_WRITE_FAILED error naming ENOSPC and is removed, the export exits 1, and the summary
 * counts only the files and bytes that are really on disk (not the start of a file that failed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExportResult } from '../../src/read/export.js';
import { runCli, tempDir } from './rel-helpers.js';

const asRoot = process.getuid?.() === 0;
const KiB = 1024;

test('a full destination: failures reported, the summary counts only what was written', { skip: !asRoot && 'mounts a small tmpfs' }, async () => {
  const t = tempDir('export-full');
  const mnt = path.join(t.dir, 'small');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
  } catch (err) {
    t.cleanup();
    // as root a mount that fails is a failure, not a pass that checked nothing
    assert.fail(`cannot mount a tmpfs as root: ${(err as Error).message}`);
  }
  try {
    const src = path.join(t.dir, 'src');
    mkdirSync(src);
    // incompressible files past the inline part (several chunks each), together well over 2 MiB
    for (let i = 0; i < 8; i++) writeFileSync(path.join(src, `f${i}`), randomBytes(600 * KiB + i));
    const container = path.join(t.dir, 'container');
    const load = await runCli(['load', src, container, '--state-path', path.join(t.dir, 'state')]);
    assert.equal(load.code, 0, load.stdout + load.stderr);
    const out = path.join(mnt, 'out');
    const r = await runCli(['export', container, out, '--output-type', 'json', '--workers', '1']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const result = JSON.parse(r.stdout) as ExportResult;
    const failed = result.issues.filter((i) => i.code === 'EXPORT_WRITE_FAILED');
    assert.ok(failed.length > 0 && failed.every((i) => /ENOSPC/.test(i.message)), JSON.stringify(result.issues));
    assert.equal(result.errors, failed.length);
    const present = readdirSync(out);
    assert.equal(present.length + failed.length, 8, 'every file is either written whole or reported');
    assert.equal(result.files, present.length);
    let bytes = 0;
    for (const name of present) {
      const size = statSync(path.join(out, name)).size;
      assert.equal(size, 600 * KiB + Number(name.slice(1)), `${name} is whole`);
      bytes += size;
    }
    assert.equal(result.bytes, bytes, 'bytes counted = bytes on disk');
  } finally {
    execFileSync('umount', [mnt]);
    t.cleanup();
  }
});
