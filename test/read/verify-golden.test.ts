/** verify on every reference fixture: exit 0, no error findings, and a summary that matches manifest.json. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceVariants } from '../helpers/paths.js';
import { cli, fixtureContainer, readManifest } from './read-helpers.js';
import type { VerifyReport } from '../../src/read/verify.js';

for (const variant of referenceVariants) {
  test(`verify ${variant}: no errors, summary matches the manifest`, async () => {
    const r = await cli(['verify', fixtureContainer(variant), '--output-type', 'json']);
    const report = JSON.parse(r.stdout.toString('utf8')) as VerifyReport;
    assert.deepEqual(report.findings.filter((f) => f.severity === 'error'), []);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(report.ok, true);
    const m = readManifest(variant);
    // one inode per hard-link group: count entries that are not a later member of a group
    const unique = m.entries.filter((e) => e.hardlink_group === null || e.hardlink_group === e.path);
    const count = (t: string) => unique.filter((e) => e.type === t).length;
    assert.equal(report.summary.directories, count('dir'));
    assert.equal(report.summary.files, count('file'));
    assert.equal(report.summary.symlinks, count('symlink'));
    assert.deepEqual(report.summary.specials, { fifo: count('fifo'), socket: count('sock'), chr: count('chr'), blk: count('blk') });
    const bytes = unique.filter((e) => e.type === 'file').reduce((s, e) => s + (e.size ?? 0), 0);
    assert.equal(report.summary.dataBytes, String(bytes));
    const groups = new Set(m.entries.map((e) => e.hardlink_group).filter((g) => g !== null));
    assert.equal(report.summary.hardLinkedInodes, groups.size);
  });
}

test('verify text output names the container and ends with OK', async () => {
  const r = await cli(['verify', fixtureContainer('basic')]);
  const text = r.stdout.toString('utf8');
  assert.equal(r.code, 0);
  assert.match(text, /^verify local directory .*basic\/container$/m);
  assert.match(text, /8 directories, 15 files, 5 symlinks/);
  assert.match(text, /^OK: no errors/m);
});
