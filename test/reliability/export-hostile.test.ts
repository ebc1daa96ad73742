/**
 * `export` from a hostile container never writes outside its destination. Extends
 * test/e2e/read-export.test.ts (an entry `../escape`; a symlink to outside sharing a directory's
 * name) with the other unsafe entry names, a name that points back up the tree (a directory cycle),
 * and a symlink whose target climbs out, followed by an entry that would write through it.
 * Each case: export terminates, exits 1 with an issue on the offending entry, the parent of the
 * destination holds nothing new, and the safe part of the tree is still exported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { LocalDirStore } from '../../src/store/local-dir-store.js';
import { Container } from '../../src/read/container.js';
import { resolvePath } from '../../src/read/resolve-path.js';
import { copyFixture } from '../read/read-helpers.js';
import { rewriteInode } from '../read/corrupt-helpers.js';
import { runCli } from './rel-helpers.js';

interface ExportJson {
  issues: { severity: string; code: string; path: string; message: string }[];
}

async function idOf(dir: string, p: string): Promise<Uint8Array> {
  return (await resolvePath(await Container.open(new LocalDirStore(dir), { index: 'lazy' }), p)).id;
}

/** Adds an entry `name` → the object at `target` to directory `dirPath` of the container in `dir`. */
async function addEntry(dir: string, dirPath: string, name: Uint8Array, target: string): Promise<void> {
  const fh = await idOf(dir, target);
  await rewriteInode(dir, dirPath, (inode) => ({ ...inode, entries: [...inode.entries!, { name, fh }] }));
}

/** Exports and checks the common promises; returns the issues. */
async function exportHostile(dir: string, present = ['d1/mid.txt', 'small.txt']): Promise<{ dest: string; issues: ExportJson['issues'] }> {
  const parent = path.join(path.dirname(dir), 'exp');
  mkdirSync(parent);
  const dest = path.join(parent, 'dest');
  const r = await runCli(['export', dir, dest, '--output-type', 'json'], { timeoutMs: 30_000 });
  assert.equal(r.signal, null, 'export terminated by itself');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(parent), ['dest'], 'nothing written beside the destination');
  for (const p of present) assert.ok(existsSync(path.join(dest, p)), `the safe part is exported: ${p}`);
  return { dest, issues: (JSON.parse(r.stdout) as ExportJson).issues };
}

const unsafeNames: [string, Uint8Array][] = [
  ['..', Buffer.from('..')],
  ['.', Buffer.from('.')],
  ['empty', new Uint8Array(0)],
  ['a slash inside', Buffer.from('sub/../../../escaped')],
  ['absolute', Buffer.from('/tmp/escaped-absolute')],
  ['NUL inside', Buffer.from('nul\0byte')],
];

for (const [label, name] of unsafeNames) {
  test(`an entry named ${label} pointing at a directory is refused, never followed`, async () => {
    const { dir, cleanup } = copyFixture('basic');
    try {
      await addEntry(dir, 'd1', name, 'private');
      const { dest, issues } = await exportHostile(dir);
      const errors = issues.filter((i) => i.severity === 'error');
      assert.equal(errors.length, 1, JSON.stringify(issues));
      assert.equal(errors[0].code, 'EXPORT_UNSAFE_NAME');
      assert.equal(errors[0].path, 'd1');
      assert.equal(existsSync('/tmp/escaped-absolute'), false);
      assert.deepEqual(readdirSync(path.join(dest, 'd1')).sort(), ['d2', 'mid.txt']);
    } finally {
      cleanup();
    }
  });
}

test('a directory entry pointing back at an ancestor (a cycle) is not followed forever', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    await addEntry(dir, 'd1/d2', Buffer.from('loop'), 'd1');
    await addEntry(dir, 'd1/d2/d3', Buffer.from('to-root'), '');
    const { dest, issues } = await exportHostile(dir);
    assert.deepEqual(issues.map((i) => [i.severity, i.code, i.path]), [
      ['error', 'EXPORT_DIR_LINK', 'd1/d2/loop'], ['error', 'EXPORT_DIR_LINK', 'd1/d2/d3/to-root'],
    ]);
    for (const p of ['d1/d2/loop', 'd1/d2/d3/to-root']) assert.equal(existsSync(path.join(dest, p)), false, `${p} not created`);
  } finally {
    cleanup();
  }
});

test('a symlink climbing out, then a directory of the same name: nothing lands outside', async () => {
  const { dir, cleanup } = copyFixture('basic');
  try {
    // root entries: `climb` → a symlink to ../../.. first, then `climb` → directory d1 (its files would
    // land three levels above dest if the exporter followed the link)
    const d1 = await idOf(dir, 'd1');
    await rewriteInode(dir, 'dangling-link', (inode) => ({ ...inode, data: new Uint8Array(Buffer.from('../../..')) }));
    await rewriteInode(dir, '', (inode) => {
      const named = (e: { name: Uint8Array }, n: string) => Buffer.from(e.name).toString() === n;
      const entries = inode.entries!.filter((e) => !named(e, 'd1')).map((e) => (named(e, 'dangling-link') ? { ...e, name: new Uint8Array(Buffer.from('climb')) } : e));
      return { ...inode, entries: [...entries, { name: new Uint8Array(Buffer.from('climb')), fh: d1 }] };
    });
    const { dest, issues } = await exportHostile(dir, ['small.txt']);
    assert.deepEqual(issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.path]), [['EXPORT_NAME_EXISTS', 'climb']]);
    assert.equal(readlinkSync(path.join(dest, 'climb')), '../../..', 'the link itself is exported as a link');
    for (const up of ['..', '../..', '../../..']) assert.equal(existsSync(path.join(dest, up, 'mid.txt')), false);
  } finally {
    cleanup();
  }
});
