/**
 * Tests of the harness's own logic (not of clfsload): `npx tsx --test bench/*.test.ts`.
 * Kept out of test/ on purpose: `npm test` must never run the bench.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compressSync } from 'lz4-napi';
import { blobNameLike, blobPlan, probeSample } from './ceilings.js';
import { parseBlobName } from '../src/format/names.js';
import { evaluateGoals } from './goals.js';
import { redactText } from './loader.js';
import { measureCommand, parseGnuTime, readProcUsage } from './measure.js';
import { activeShare, parseProcStat } from './machine-rest.js';
import type { Result } from './result.js';
import { benchRows } from './rows.js';
import { renderTable } from './table.js';
import { buildTree, makeTextPool, mixedDirs, treeTotals } from './trees.js';

test('full rows have the sizes of the issue', () => {
  const specs = benchRows({ quick: false, scale: true });
  const rows = new Map(specs.map((r) => [r.id, treeTotals(r.tree)]));
  const azurite = new Map(specs.map((r) => [r.id, treeTotals(r.azuriteTree ?? r.tree)]));
  assert.deepEqual(rows.get('small'), { files: 20_000, dirs: 201, bytes: 20_000 * 4096 });
  assert.equal(rows.get('medium')?.files, 2_000);
  assert.equal(rows.get('medium')?.bytes, 2_000 * 262_144);
  assert.deepEqual(rows.get('large'), { files: 4, dirs: 1, bytes: 4 * 256 * 2 ** 20 });
  assert.deepEqual(rows.get('wide'), { files: 200_000, dirs: 1, bytes: 0 });
  assert.equal(azurite.get('small')?.files, 5_000);
  assert.equal(azurite.get('small-ref')?.files, 500);
  assert.equal(azurite.get('wide')?.files, 10_000);
  assert.equal(azurite.get('large')?.bytes, rows.get('large')?.bytes);
  assert.equal(rows.get('scale')?.files, 1_000_000);
  assert.equal(rows.get('small-ref')?.files, 2_000);
});

test('buildTree writes the files it promises, half random and half text', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  try {
    const spec = mixedDirs('t', 'd', 3, 10, 5000);
    const totals = buildTree(spec, path.join(tmp, 't'));
    assert.deepEqual(totals, { files: 30, dirs: 4, bytes: 150_000 });
    const dirs = readdirSync(path.join(tmp, 't')).sort();
    assert.deepEqual(dirs, ['d0000', 'd0001', 'd0002']);
    const names = readdirSync(path.join(tmp, 't', 'd0001')).sort();
    assert.equal(names.length, 10);
    assert.equal(names.filter((n) => n.startsWith('r')).length, 5);
    for (const n of names) assert.equal(statSync(path.join(tmp, 't', 'd0001', n)).size, 5000);
    const text = readFileSync(path.join(tmp, 't', 'd0001', names.find((n) => n.startsWith('t'))!));
    const random = readFileSync(path.join(tmp, 't', 'd0001', names.find((n) => n.startsWith('r'))!));
    // compressSync prefixes a 4-byte length; text must shrink well, random must not.
    assert.ok(compressSync(text).length < text.length * 0.8, 'text-like content compresses');
    assert.ok(compressSync(random).length > random.length * 0.98, 'random content does not');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('text pool is text-like and of the requested size', () => {
  const pool = makeTextPool(100_000);
  assert.equal(pool.length, 100_000);
  assert.match(pool.subarray(0, 200).toString('latin1'), /^[a-z0-9 \n]+$/);
});

test('blobPlan counts one inode per file and dir, one blob per 8 MiB segment and per dir segment', () => {
  const sizes = blobPlan({
    name: 'x',
    groups: [
      { dir: 'a', prefix: 'f', files: 2, size: 100, content: 'random' },
      { dir: '', prefix: 'big', files: 1, size: 16384 + 8388608 + 1, content: 'random' },
    ],
  });
  // bucket + 3 file inodes + 2 segments of the big file + 2 dir inodes (root, a)
  assert.equal(sizes.length, 1 + 3 + 2 + 2);
  assert.ok(sizes.includes(400 + 100));
  assert.ok(sizes.includes(104 + 8388608));
  assert.ok(sizes.includes(104 + 1));
  const wide = blobPlan({ name: 'w', groups: [{ dir: '', prefix: 'empty-file-', files: 20_000, size: 0, content: 'empty' }] });
  // 20,000 entries of ~47 bytes = ~940 KB of entries: the inline piece + 4 directory segments
  assert.equal(wide.length, 1 + 20_000 + 1 + 4);
});

test('probeSample respects count and byte caps but keeps at least 16 blobs', () => {
  assert.equal(probeSample(Array(100).fill(10), 50, 1e9).length, 50);
  assert.equal(probeSample(Array(100).fill(10), 1000, 205).length, 20);
  assert.equal(probeSample(Array(100).fill(1e6), 1000, 10).length, 16);
});

test('parseGnuTime reads the rusage line, also after a non-zero exit notice', () => {
  assert.deepEqual(parseGnuTime('Command exited with non-zero status 3\nBENCH 1.50 0.75 0.25 102400\n'), { userS: 0.75, sysS: 0.25, peakRssMB: 104.8576 });
  assert.throws(() => parseGnuTime('garbage'));
});

test('measureCommand measures a real child: CPU, RSS and exit code', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  try {
    const script = 'const b = Buffer.alloc(64e6, 1); let x = 0; const t = Date.now(); while (Date.now() - t < 300) x += b[x % 1000]; process.exit(x > 0 ? 7 : 0)';
    const m = await measureCommand([process.execPath, '-e', script], { stdoutFile: path.join(tmp, 'o'), stderrFile: path.join(tmp, 'e') });
    assert.equal(m.exitCode, 7);
    assert.ok(m.wallS >= 0.3, `wall ${m.wallS}`);
    assert.ok(m.userS + m.sysS >= 0.2, `cpu ${m.userS + m.sysS}`);
    assert.ok(m.peakRssMB >= 64, `rss ${m.peakRssMB}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('readProcUsage (the fallback without GNU time) reads this process', () => {
  const u = readProcUsage(process.pid);
  assert.ok(u && u.peakRssMB > 10 && u.userS + u.sysS > 0, JSON.stringify(u));
  assert.equal(readProcUsage(2 ** 22 + 12345), undefined);
});

test('redactText removes SAS query strings and sig values', () => {
  const text = 'failed http://127.0.0.1:1/devstoreaccount1/c?sv=2026&sig=abc%3D with sig=zzz';
  const out = redactText(text);
  assert.ok(!out.includes('abc'));
  assert.ok(!out.includes('zzz'));
  assert.ok(out.includes('http://127.0.0.1:1/devstoreaccount1/c?<SAS redacted>'));
});

function result(p: Partial<Result>): Result {
  return { row: 'small', dest: 'local', tool: 'clfsload', files: 1000, bytes: 4e6, wallS: 1, userS: 0.5, sysS: 0.1, peakRssMB: 100, ok: true, ...p };
}

test('goals compare clfsload with the ceiling of the same row and destination', () => {
  const results = [
    result({ dest: 'azurite', tool: 'raw upload', wallS: 10 }),
    result({ dest: 'azurite', compression: 'LZ4', wallS: 10.5 }), // 0.95 x raw: pass
    result({ dest: 'azurite', compression: 'DISABLED', wallS: 12.5 }), // 0.8 x raw: miss
    result({ tool: 'cp -a', wallS: 1 }),
    result({ compression: 'LZ4', wallS: 3.9 }),
    result({ compression: 'DISABLED', wallS: 4.1, peakRssMB: 301 }),
    result({ row: 'small-ref', compression: 'LZ4', files: 100, peakRssMB: 90 }),
    result({ tool: 'cp -a + sync', wallS: 1.3 }),
  ];
  const all = evaluateGoals(results);
  const goals = new Map(all.map((g) => [g.goal, g.status]));
  const durable = all.find((g) => g.goal === 'Local small wall ÷ (cp -a + sync) (LZ4)');
  assert.equal(durable?.status, 'INFO');
  assert.match(durable?.detail ?? '', /^3\.00 /);
  assert.equal(goals.get('Azurite small files/s ≥ 0.9 × raw upload (LZ4)'), 'PASS');
  assert.equal(goals.get('Azurite small files/s ≥ 0.9 × raw upload (DISABLED)'), 'MISS');
  assert.equal(goals.get('Local small wall ≤ 4 × cp -a (LZ4)'), 'PASS');
  assert.equal(goals.get('Local small wall ≤ 4 × cp -a (DISABLED)'), 'MISS');
  assert.equal(goals.get('Peak RSS ≤ 300 MB on every row'), 'MISS');
  assert.equal(goals.get('Peak RSS at N small files ≤ 1.25 × at N/10 (local, LZ4)'), 'PASS');
  assert.equal(goals.get('Azurite large MB/s ≥ 0.9 × raw upload (LZ4)'), 'N/A');
});

test('a local goal is VOID when its cp -a was no faster than cp -a + sync (a disturbed file system)', () => {
  const run = (copyS: number) => evaluateGoals([
    result({ tool: 'cp -a', wallS: copyS }),
    result({ tool: 'cp -a + sync', wallS: 2.62 }),
    result({ compression: 'LZ4', wallS: 2.76 }),
    result({ row: 'large', tool: 'cp -a', wallS: 0.45 }),
    result({ row: 'large', tool: 'cp -a + sync', wallS: 0.93 }),
    result({ row: 'large', compression: 'DISABLED', wallS: 1.33 }),
  ]);
  const disturbed = run(2.71).find((g) => g.goal === 'Local small wall ≤ 4 × cp -a (LZ4)');
  assert.equal(disturbed?.status, 'VOID', 'the 12:22 run: 2.71 s for cp -a, 2.62 s for cp -a + sync');
  assert.match(disturbed?.detail ?? '', /^1\.02 <= 4 — cp -a \(2\.71 s\) was not faster than cp -a \+ sync \(2\.62 s\)/);
  assert.equal(run(2.71).find((g) => g.goal === 'Local large wall ≤ 2 × cp -a (DISABLED)')?.status, 'MISS', 'the large row\'s own cp -a was fine');
  assert.equal(run(0.66).find((g) => g.goal === 'Local small wall ≤ 4 × cp -a (LZ4)')?.status, 'MISS', '4.18x: measured and missed');
});

test('the table shows ratios against the ceiling and marks failures', () => {
  const table = renderTable([
    result({ tool: 'cp -a', wallS: 2 }),
    result({ compression: 'LZ4', wallS: 4 }),
    result({ compression: 'DISABLED', ok: false, error: 'exit 3: boom' }),
  ]);
  const lines = table.split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[3], /\| 0\.50 +\| 2\.00 +\|$/);
  assert.match(lines[4], /FAILED.*exit 3: boom/);
});

test('the raw upload names its blobs like a load does: v2 names of the same length, all different', () => {
  const names = Array.from({ length: 100 }, () => blobNameLike());
  assert.equal(new Set(names).size, 100);
  for (const n of names) {
    assert.equal(n.length, 113, n);
    assert.equal(parseBlobName(n).kind, 'v2', n);
  }
});

test('machine rest: /proc/stat is read as busy, iowait and total ticks, and shares come from two samples', () => {
  const a = parseProcStat('cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n');
  assert.deepEqual(a, { busy: 161, iowait: 20, total: 1181 });
  const b = parseProcStat('cpu  110 5 150 1100 120 3 2 1 0 0\n');
  assert.deepEqual(activeShare(a!, b!), { busy: 110 / 310, iowait: 100 / 310 });
  assert.equal(parseProcStat('intr 1 2 3\n'), undefined);
  assert.deepEqual(activeShare(b!, b!), { busy: 0, iowait: 0 });
});
