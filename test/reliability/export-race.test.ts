/**
 * Root exports into a destination an unprivileged user owns, and that user swaps a directory the
 * export just created for a symlink to a root-only directory elsewhere (issue 23 item 1). Export
 * works relative to open directory descriptors, so the rest of the directory's files land in the
 * directory root created (now renamed), and the victim is neither written nor chmod'ed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NOBODY, asNobody, runCli, tempDir } from './rel-helpers.js';

const asRoot = process.getuid?.() === 0;
const FILES = 2000;

// waits for `sub` (created by root), renames it and plants `sub -> victim`, then records how many
// files the export had written into it at that moment (to prove the swap happened mid-export)
const ATTACK = `cd "$1" || exit 9
while [ ! -d sub ]; do :; done
mv sub moved && ln -s "$2" sub || exit 8
ls moved | wc -l > "$3"`;

test('a directory swapped for a symlink during a root export: nothing is written or chmod\'ed through it', { skip: !asRoot && 'needs root and setpriv' }, async () => {
  const t = tempDir('export-race', NOBODY);
  try {
    chmodSync(t.dir, 0o755);
    const src = path.join(t.dir, 'src');
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    chmodSync(path.join(src, 'sub'), 0o755);
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(src, 'sub', `f${i}`), `file ${i}\n`);
    const container = path.join(t.dir, 'container');
    const load = await runCli(['load', src, container, '--state-path', path.join(t.dir, 'state')]);
    assert.equal(load.code, 0, load.stdout + load.stderr);

    const victim = path.join(t.dir, 'victim');
    mkdirSync(victim, { mode: 0o700 });
    chmodSync(victim, 0o700);
    const dest = path.join(t.dir, 'dest');
    mkdirSync(dest);
    chownSync(dest, NOBODY, NOBODY);
    const mark = path.join(t.dir, 'mark');
    writeFileSync(mark, '');
    chownSync(mark, NOBODY, NOBODY);

    const attacker = spawn(asNobody[0], [...asNobody.slice(1), 'bash', '-c', ATTACK, 'attack', dest, victim, mark], { stdio: 'inherit' });
    const attacked = new Promise<number | null>((resolve) => attacker.on('close', resolve));
    let r;
    try {
      r = await runCli(['export', container, dest, '--output-type', 'json'], { timeoutMs: 120_000 });
    } finally {
      if (attacker.exitCode === null) attacker.kill('SIGKILL');
    }
    const attackerCode = await attacked;
    assert.equal(r.signal, null, 'export terminated by itself');
    assert.equal(attackerCode, 0, 'the attacker swapped the directory');
    assert.ok(lstatSync(path.join(dest, 'sub')).isSymbolicLink());
    const before = Number(readFileSync(mark, 'utf8').trim());
    assert.ok(before < FILES, `the swap happened while sub was being written (${before} files in it then)`);

    const inVictim = readdirSync(victim);
    assert.equal(inVictim.length, 0, `nothing written into the victim (found ${inVictim.length} entries, e.g. ${inVictim.slice(0, 3).join(', ')})`);
    assert.equal(statSync(victim).mode & 0o7777, 0o700, 'the victim\'s mode is unchanged');
    assert.equal(statSync(victim).uid, 0, 'the victim\'s owner is unchanged');
    // the files went into the directory root created (renamed by the attacker), none was lost
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(readdirSync(path.join(dest, 'moved')).length, FILES);
    assert.equal(statSync(path.join(dest, 'moved')).mode & 0o7777, 0o755);
    assert.ok(existsSync(path.join(dest, 'moved', 'f0')));
  } finally {
    t.cleanup();
  }
});
