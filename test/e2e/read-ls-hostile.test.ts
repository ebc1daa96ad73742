/**
 * ls and cat on damaged and hostile containers (issue 23): names are escaped, dangling entries are
 * reported and the listing goes on, swapped inode blobs and length mismatches are malformed data
 * (exit 6), and a reader that goes away (EPIPE) ends the command quietly with exit 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliEntry } from '../helpers/paths.js';
import { MAX_STORED_BLOB_BYTES } from '../../src/read/blob-limit.js';
import { cli, copyFixture, fixtureContainer, tempDir } from '../read/read-helpers.js';
import { blobOf, rewriteInode } from '../read/corrupt-helpers.js';
import { chainContainer, storeToDir } from '../read/synthetic.js';

const raw = (s: string | number[]): Uint8Array => new Uint8Array(typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

/** A local container from chainContainer's options; removed by the returned cleanup. */
async function localContainer(depth: number, options: Parameters<typeof chainContainer>[1]): Promise<{ dir: string; cleanup: () => void }> {
  const t = tempDir('clfs-ls-');
  const dir = path.join(t.dir, 'container');
  await storeToDir((await chainContainer(depth, options)).store, dir);
  return { dir, cleanup: t.cleanup };
}

test('ls escapes control characters, backslashes, bidi controls and invalid UTF-8 in names (no forged lines)', async () => {
  const names: [Uint8Array, string][] = [
    [raw('evil\nINFO forged line'), 'evil\\nINFO forged line'],
    [raw('\x1b[31mred\x1b[0m'), '\\x1b[31mred\\x1b[0m'],
    [raw('back\\slash'), 'back\\\\slash'],
    [raw([0x66, 0xff, 0xc3]), 'f\\xff\\xc3'],
    [raw('\u202Etxt.exe'), '\\u202etxt.exe'],
    [raw('c1\u0085\u007f'), 'c1\\u0085\\x7f'],
    [raw('tab\there\r'), 'tab\\there\\r'],
    [raw('ünïcødé ✓'), 'ünïcødé ✓'],
  ];
  const c = await localContainer(1, { nameOf: () => raw('dir\nwith newline'), files: true, extra: names.map(([name]) => ({ name, type: 'file' as const })) });
  try {
    const r = await cli(['ls', c.dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.toString('utf8').split('\n'), [...names.map(([, shown]) => shown), 'dir\\nwith newline', '']);
    const l = await cli(['ls', c.dir, '-l']);
    const lines = l.stdout.toString('utf8').trimEnd().split('\n');
    assert.equal(lines.length, names.length + 1, 'one line per entry');
    assert.ok(lines[0].endsWith(' evil\\nINFO forged line'));
    const R = await cli(['ls', c.dir, '-R']);
    assert.match(R.stdout.toString('utf8'), /\n\ndir\\nwith newline:\nf\n$/);
    assert.ok(![...R.stdout].some((x) => (x < 0x20 && x !== 0x0a) || x === 0x7f), 'no raw control character reaches the terminal');
  } finally {
    c.cleanup();
  }
});

test('ls -l and ls -R report a dangling entry on stderr (one line with its path) and go on; exit 1', async () => {
  const c = await localContainer(2, {
    files: true,
    extra: [
      { name: raw('before'), type: 'file' },
      { name: raw('gone\x1b'), type: 'file', dangling: true },
      { name: raw('gonedir'), type: 'dir', dangling: true },
      { name: raw('after'), type: 'file' },
    ],
  });
  try {
    const l = await cli(['ls', c.dir, '-l']);
    assert.equal(l.code, 1);
    const out = l.stdout.toString('utf8').trimEnd().split('\n');
    assert.deepEqual(out.map((line) => line.split(' ').pop()), ['before', 'gone\\x1b', 'gonedir', 'after', 'd']);
    assert.match(out[1], /^\?{10} /);
    const err = l.stderr.trimEnd().split('\n');
    assert.equal(err.length, 2, l.stderr);
    assert.match(err[0], /^clfsload: cannot access 'gone\\x1b': no inode blob for id [0-9A-F]+ \[CLFS_READ_MISSING_BLOB\]$/);
    assert.match(err[1], /^clfsload: cannot access 'gonedir': /);

    const R = await cli(['ls', c.dir, '-R']);
    assert.equal(R.code, 1);
    assert.equal(R.stdout.toString('utf8'), '.:\nbefore\ngone\\x1b\ngonedir\nafter\nd\n\ngonedir:\n\nd:\nd\nf\n\nd/d:\nf\n');
    assert.match(R.stderr, /^clfsload: cannot read directory 'gonedir': no inode blob for id [0-9A-F]+ \[CLFS_READ_MISSING_BLOB\]\n$/);

    const Rl = await cli(['ls', c.dir, '-R', '-l']);
    assert.equal(Rl.code, 1);
    assert.match(Rl.stdout.toString('utf8'), /\n\nd\/d:\n-rw-r--r-- .* f\n$/);
    assert.equal(Rl.stderr.trimEnd().split('\n').length, 2, Rl.stderr);
  } finally {
    c.cleanup();
  }
});

test('cat of a file whose inode blob was swapped with another file\'s fails with exit 6 naming the blob', async () => {
  const c = copyFixture('basic');
  try {
    const a = await blobOf(c.dir, 'small.txt');
    const b = await blobOf(c.dir, 'd1/mid.txt');
    const bytesA = readFileSync(path.join(c.dir, a));
    writeFileSync(path.join(c.dir, a), readFileSync(path.join(c.dir, b)));
    writeFileSync(path.join(c.dir, b), bytesA);
    for (const p of ['small.txt', 'd1/mid.txt']) {
      const r = await cli(['cat', c.dir, p]);
      assert.equal(r.code, 6, r.stderr);
      assert.equal(r.stdout.length, 0, 'no byte of the other file is written');
      assert.match(r.stderr, new RegExp(`^clfsload: ${p === 'small.txt' ? a : b}: holds the inode of id [0-9A-F]+, not [0-9A-F]+ \\(swapped or misnamed blob\\) \\[CLFS_BAD_OBJECT\\]\\n$`));
    }
  } finally {
    c.cleanup();
  }
});

test('cat of a file whose length does not match its data exits 6 (malformed data), like other damage', async () => {
  const c = copyFixture('basic');
  try {
    await rewriteInode(c.dir, 'small.txt', (inode) => ({ ...inode, vattr: { ...inode.vattr, length: 13n } }));
    const r = await cli(['cat', c.dir, 'small.txt']);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /small\.txt: inode DATA holds 12 bytes, expected 13 for length 13 \[CLFS_READ_BAD_STRUCTURE\]/);
  } finally {
    c.cleanup();
  }
});

/** Runs the built CLI and closes its stdout after the first chunk (like `| head -c 10`). */
function runClosingStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; got: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let got = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', (d: Buffer) => {
      got = d.length;
      child.stdout.destroy();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, got });
    });
  });
}

test('cat and ls -R whose reader goes away (EPIPE) end quietly with exit 0', async () => {
  const cat = await runClosingStdout(['cat', fixtureContainer('bigfile'), 'random-1m.bin']);
  assert.ok(cat.got > 0 && cat.got < 1048576, `read ${cat.got} bytes before closing`);
  assert.deepEqual([cat.code, cat.stderr], [0, '']);
  const c = await localContainer(400, {}); // ~160 KB of headers: more than a pipe holds
  try {
    const ls = await runClosingStdout(['ls', '-R', c.dir]);
    assert.deepEqual([ls.code, ls.stderr], [0, '']);
  } finally {
    c.cleanup();
  }
});

test('cat, ls -l and verify refuse an oversized (sparse) inode blob by its size, without reading it', async () => {
  const c = copyFixture('basic');
  try {
    const blob = await blobOf(c.dir, 'small.txt');
    truncateSync(path.join(c.dir, blob), MAX_STORED_BLOB_BYTES + 1); // sparse: costs no disk
    const limit = new RegExp(`${blob}: blob of ${MAX_STORED_BLOB_BYTES + 1} bytes, over the ${MAX_STORED_BLOB_BYTES}-byte limit of a CLFS object; not read \\[CLFS_LIMIT\\]`);
    const cat = await cli(['cat', c.dir, 'small.txt']);
    assert.equal(cat.code, 6);
    assert.match(cat.stderr, limit);
    const ls = await cli(['ls', c.dir, '-l']);
    assert.equal(ls.code, 1);
    assert.match(ls.stderr, /^clfsload: cannot access 'small\.txt': /m);
    assert.match(ls.stderr, limit);
    const v = await cli(['verify', c.dir]);
    assert.equal(v.code, 1);
    assert.match(v.stdout.toString('utf8'), limit);
  } finally {
    c.cleanup();
  }
});
