/**
 * Tests of the harness's own logic (not of clfsload's speed): `npm test` runs them from
 * dist/bench/bench.test.js; they never run the bench itself and assert no timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compressSync } from 'lz4-napi';
import { startAzurite } from './azurite.js';
import { blobNameLike, blobPlan, directoryPieces, plannedLike, probeSample } from './ceilings.js';
import { bundleRawUpload, sdkBundleBeside } from './raw-upload-bundle.js';
import { parseBlobName } from '../src/format/names.js';
import { evaluateGoals } from './goals.js';
import { redactText } from './loader.js';
import { measureCommand, mergeUsage, parseGnuTime, readProcUsage } from './measure.js';
import { activeShare, parseProcStat } from './machine-rest.js';
import { combineRounds, type Result } from './result.js';
import { checkCopy, checkLoadListing, checkRawListing, listLocal } from './verify-output.js';
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
  assert.ok(Number.isNaN(parseGnuTime('BENCH 1.50 0.75 0.25 0\n').peakRssMB), 'a max RSS of 0 is unknown, not 0 MB');
});

test('the /proc fallback keeps the largest RSS seen: a last poll without VmHWM (a zombie) is unknown, not 0', () => {
  const live = { userS: 1, sysS: 0.5, peakRssMB: 150 };
  const zombie = { userS: 1.2, sysS: 0.6, peakRssMB: NaN };
  assert.deepEqual(mergeUsage(live, zombie), { userS: 1.2, sysS: 0.6, peakRssMB: 150 });
  assert.deepEqual(mergeUsage(live, { userS: 2, sysS: 1, peakRssMB: 120 }), { userS: 2, sysS: 1, peakRssMB: 150 });
  assert.ok(Number.isNaN(mergeUsage(undefined, zombie)!.peakRssMB), 'never seen: unknown');
  assert.deepEqual(mergeUsage(live, undefined), live, 'gone: the last reading stays');
});

test('measureCommand measures a real child: RSS, CPU and exit code', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  try {
    const script = 'const b = Buffer.alloc(64e6, 1); process.exit(b[12345] === 1 ? 7 : 0)';
    const m = await measureCommand([process.execPath, '-e', script], { stdoutFile: path.join(tmp, 'o'), stderrFile: path.join(tmp, 'e') });
    assert.equal(m.exitCode, 7);
    assert.ok(m.peakRssMB >= 64, `rss ${m.peakRssMB}`);
    assert.ok(Number.isFinite(m.userS + m.sysS) && m.userS + m.sysS >= 0, `cpu ${m.userS + m.sysS}`);
    assert.ok(m.wallS > 0);
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
    // each compression has the raw upload of its own blobs
    result({ dest: 'azurite', tool: 'raw upload', compression: 'LZ4', wallS: 10 }),
    result({ dest: 'azurite', tool: 'raw upload', compression: 'DISABLED', wallS: 10 }),
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
  const raw = combineRounds([16, 64].map((concurrency) => result({ dest: 'azurite', tool: 'raw upload', compression: 'LZ4', concurrency })));
  assert.match(renderTable([raw]).split('\n')[2], /raw upload ×16\/64 \| LZ4/, 'every round\'s concurrency, not the last one\'s');
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

test('directory pieces are cut at entry boundaries (§9.2): 16360 bytes inline, then 262144 per segment', () => {
  assert.deepEqual(directoryPieces([47]), [47]);
  assert.deepEqual(directoryPieces([16000, 360]), [16360]);
  assert.deepEqual(directoryPieces([16000, 361]), [16000, 361]);
  assert.deepEqual(directoryPieces([20000, 5]), [20000, 5], 'a fresh piece takes its first entry whatever its size');
  assert.deepEqual(directoryPieces([16360, ...Array(2).fill(131072), 1]), [16360, 262144, 1]);
});

test('combined rounds: any failed round fails the measurement; RSS is the largest, unknown if any is; wall the median', () => {
  const ok = (wallS: number, peakRssMB: number): Result => result({ compression: 'LZ4', wallS, peakRssMB, blobs: 10 });
  const c = combineRounds([ok(3, 150), ok(1, 120), ok(2, 180)]);
  assert.equal(c.ok, true);
  assert.equal(c.wallS, 2, 'median, not the fastest');
  assert.deepEqual(c.walls, [3, 1, 2], 'every round kept, in round order');
  assert.equal(c.peakRssMB, 180, 'the largest, not the fastest round\'s');
  assert.equal(c.runs, 3);
  const failed = combineRounds([ok(1, 100), result({ compression: 'LZ4', ok: false, error: 'exit 3: boom' }), ok(2, 100)]);
  assert.equal(failed.ok, false);
  assert.equal(failed.error, 'round 2 of 3: exit 3: boom');
  assert.ok(Number.isNaN(combineRounds([ok(1, 100), ok(1, NaN)]).peakRssMB), 'one round\'s RSS unknown: the maximum is unknown');
  const differ = combineRounds([ok(1, 100), { ...ok(1, 100), blobs: 9 }]);
  assert.equal(differ.ok, false);
  assert.match(differ.error ?? '', /round 2 stored 9 blobs, round 1 10/);
});

test('time goals take the median of per-round ratios (one lucky round does not decide) and print the spread', () => {
  // Round 2's ceiling was slow (a disturbed machine): fastest-of-each would give 10 / 10.5 = 0.95, a pass.
  const rounds = (walls: number[], p: Partial<Result>): Result => combineRounds(walls.map((wallS) => result({ dest: 'azurite', wallS, ...p })));
  const goals = evaluateGoals([
    rounds([10, 14, 10], { tool: 'raw upload', compression: 'LZ4' }),
    rounds([12.5, 10.5, 12], { compression: 'LZ4' }),
  ]);
  const g = goals.find((x) => x.goal === 'Azurite small files/s ≥ 0.9 × raw upload (LZ4)');
  assert.equal(g?.status, 'MISS');
  // ratios 0.80, 1.33, 0.83: median 0.83
  assert.equal(g?.detail, '0.83 >= 0.9 — clfsload ÷ raw; median of 3 rounds, 0.80-1.33');
});

test('a failed round makes its goals FAIL, not N/A and not a pass on the other rounds', () => {
  const goals = evaluateGoals([
    combineRounds([result({ tool: 'cp -a', wallS: 1 }), result({ tool: 'cp -a', wallS: 1 })]),
    combineRounds([result({ compression: 'LZ4', wallS: 2 }), result({ compression: 'LZ4', ok: false, error: 'exit 0, but the destination is wrong: 5 CLFS objects written, the tree needs 6' })]),
  ]);
  const g = goals.find((x) => x.goal === 'Local small wall ≤ 4 × cp -a (LZ4)');
  assert.equal(g?.status, 'FAIL');
  assert.match(g?.detail ?? '', /round 2 of 2: exit 0, but the destination is wrong/);
  assert.equal(goals.find((x) => x.goal === 'Peak RSS ≤ 300 MB on every row')?.status, 'FAIL');
  const failedCeiling = evaluateGoals([result({ tool: 'cp -a', ok: false, error: 'cp exit 1' }), result({ compression: 'LZ4', wallS: 2 })]);
  assert.equal(failedCeiling.find((x) => x.goal === 'Local small wall ≤ 4 × cp -a (LZ4)')?.status, 'FAIL');
});

test('peak RSS goal: an unknown RSS neither resets the maximum nor passes', () => {
  const rss = (values: number[]) => evaluateGoals(values.map((peakRssMB, i) => result({ row: (['small', 'medium', 'large'] as const)[i], compression: 'LZ4', peakRssMB })))
    .find((g) => g.goal === 'Peak RSS ≤ 300 MB on every row');
  assert.equal(rss([350, NaN, 100])?.status, 'MISS', 'the 350 MB run before the unknown one still counts');
  assert.match(rss([350, NaN, 100])?.detail ?? '', /^350\.00 <= 300/);
  assert.equal(rss([100, NaN, 120])?.status, 'N/A', 'one run unknown: not a pass');
  assert.match(rss([100, NaN, 120])?.detail ?? '', /unknown for medium local clfsload LZ4/);
  assert.equal(rss([100, 250, 120])?.status, 'PASS');
  assert.match(rss([100, 250, 120])?.detail ?? '', /^250\.00 <= 300 — worst: medium/);
});

test('the scale goal is printed as N/A when the scale row did not run', () => {
  const goals = evaluateGoals([result({ compression: 'LZ4' })]);
  assert.equal(goals.find((g) => g.goal === 'Scale row time per file ≤ 1.3 × small row (local, LZ4)')?.status, 'N/A');
  const ran = evaluateGoals([result({ compression: 'LZ4', wallS: 1 }), result({ row: 'scale', compression: 'LZ4', files: 10_000, wallS: 12 })]);
  assert.equal(ran.find((g) => g.goal === 'Scale row time per file ≤ 1.3 × small row (local, LZ4)')?.detail.slice(0, 12), '1.20 <= 1.3 ');
});

test('the raw upload of an LZ4 row is compared only with clfsload LZ4, not with an upload of other bytes', () => {
  const goals = evaluateGoals([
    result({ row: 'large', dest: 'azurite', tool: 'raw upload', compression: 'DISABLED', wallS: 3.6 }),
    result({ row: 'large', dest: 'azurite', compression: 'LZ4', wallS: 3.35 }),
  ]);
  assert.equal(goals.find((g) => g.goal === 'Azurite large MB/s ≥ 0.9 × raw upload (LZ4)')?.status, 'N/A');
});

const v2 = (): string => blobNameLike();

test('verify by listing: a load counts only with the tree\'s CLFS objects, its logs, and no problems', () => {
  const totals = { files: 2, dirs: 1, bytes: 100 };
  const objects = [v2(), v2(), v2(), v2()].map((name) => ({ name, size: 60 }));
  const logs = [{ name: 'output.txt', size: 900 }];
  assert.equal(checkLoadListing([...objects, ...logs], 4, totals, 'DISABLED'), undefined);
  assert.match(checkLoadListing([...objects.slice(1), ...logs], 4, totals, 'LZ4') ?? '', /3 CLFS objects written, the tree needs 4/);
  assert.match(checkLoadListing([...objects, ...logs, { name: 'problems.txt', size: 9 }], 4, totals, 'LZ4') ?? '', /problems\.txt/);
  assert.match(checkLoadListing([...objects.slice(1), { name: `tmp${objects[0].name}`, size: 60 }, ...logs], 4, totals, 'LZ4') ?? '', /tmp object/);
  assert.match(checkLoadListing([...objects, { name: 'stray.bin', size: 1 }], 4, totals, 'LZ4') ?? '', /unexpected blob stray\.bin/);
  const small = objects.map((o) => ({ ...o, size: 20 }));
  assert.match(checkLoadListing(small, 4, totals, 'DISABLED') ?? '', /80 bytes stored uncompressed, the source has 100/);
  assert.equal(checkLoadListing(small, 4, totals, 'LZ4'), undefined, 'LZ4 may store fewer bytes than the source');
});

test('verify by listing: a raw upload counts only when every blob it was given is there at its size', () => {
  const planned = [{ name: 'a', size: 10 }, { name: 'b', size: 20 }];
  assert.equal(checkRawListing([{ name: 'b', size: 20 }, { name: 'a', size: 10 }], planned), undefined);
  assert.match(checkRawListing([{ name: 'a', size: 10 }], planned) ?? '', /1 blobs stored, 2 uploaded/);
  assert.match(checkRawListing([{ name: 'a', size: 10 }, { name: 'b', size: 19 }], planned) ?? '', /b: 19 bytes stored, 20 uploaded/);
  assert.match(checkRawListing([{ name: 'a', size: 10 }, { name: 'c', size: 20 }], planned) ?? '', /b: missing/);
});

test('verify a copy: every file, directory and byte of the source', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  try {
    const spec = mixedDirs('t', 'd', 2, 4, 100);
    const totals = buildTree(spec, path.join(tmp, 't'));
    assert.equal(checkCopy(path.join(tmp, 't'), totals), undefined);
    rmSync(path.join(tmp, 't', 'd0001', readdirSync(path.join(tmp, 't', 'd0001'))[0]));
    assert.match(checkCopy(path.join(tmp, 't'), totals) ?? '', /copy has 7 files, 3 dirs, 700 bytes; the source 8, 3, 800/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('blobPlan counts exactly the CLFS objects a real load writes (directory segments and file segments included)', () => {
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  try {
    const long = 'n'.repeat(100); // 134-byte entries: 2,500 of them take the inline piece and two directory segments
    const spec = {
      name: 'plan',
      groups: [
        { dir: 'wide', prefix: long, files: 2500, size: 0, content: 'empty' as const },
        { dir: '', prefix: 'big', files: 1, size: 16384 + 8388608 + 1, content: 'text' as const },
        ...mixedDirs('plan', 'd', 2, 6, 5000).groups,
      ],
    };
    const totals = buildTree(spec, path.join(tmp, 'src'));
    const planned = blobPlan(spec);
    // bucket + 2,513 file inodes + 4 directory inodes + 2 segments of big + 2 segments of wide
    // (inline: '.', '..' and 121 entries; then 1,956 entries, then 423)
    assert.equal(planned.length, 1 + 2513 + 4 + 2 + 2);
    for (const compression of ['DISABLED', 'LZ4'] as const) {
      const out = path.join(tmp, `out-${compression}`);
      mkdirSync(out);
      execFileSync(process.execPath, [cli, 'load', path.join(tmp, 'src'), out, '--state-path', path.join(tmp, `state-${compression}`), '--compression-type', compression, '--output-type', 'json'], { stdio: 'ignore' });
      const listing = listLocal(out);
      assert.equal(checkLoadListing(listing, planned.length, totals, compression), undefined, compression);
      assert.match(checkLoadListing(listing, planned.length + 1, totals, compression) ?? '', /CLFS objects written/);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the raw upload runs from a bundle that loads the CLI\'s SDK bundle, and stores exactly the blobs it is given', async () => {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  const azurite = await startAzurite(repoRoot, tmp);
  try {
    const entry = path.join(tmp, 'raw-upload.mjs');
    await bundleRawUpload(fileURLToPath(new URL('./raw-upload-main.js', import.meta.url)), sdkBundleBeside(cli), entry);
    const text = readFileSync(entry, 'utf8');
    assert.ok(text.includes(JSON.stringify(sdkBundleBeside(cli))), 'imports the SDK bundle beside the CLI');
    assert.ok(!/from ["']@azure\/storage-blob["']/.test(text), 'not the SDK from node_modules');
    const blobs = [...plannedLike([0, 1, 300_000]), { name: 'output.txt', size: 1234 }];
    writeFileSync(path.join(tmp, 'blobs.json'), JSON.stringify(blobs));
    const url = await azurite.createContainer('raw');
    execFileSync(process.execPath, [entry, path.join(tmp, 'blobs.json'), '2'], { env: { ...process.env, RAW_UPLOAD_URL: url }, stdio: 'pipe' });
    assert.equal(checkRawListing(await azurite.listBlobs('raw'), blobs), undefined);
  } finally {
    await azurite.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
