/**
 * The state directory under a hostile or careless hand (issue 23, items 2, 3, 7, 11, 17, 21):
 * planted symlinks are never followed, chmod'ed or uploaded; a directory of another user, one
 * others can write, or a non-empty one without a job is refused untouched; a path under /proc
 * fails at once; a URL is refused with its password hidden; the state is never the source and
 * never loaded from inside it; a bad source creates nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTree } from '../helpers/tree.js';
import { cli } from '../helpers/load-run.js';
import { NOBODY, runCli, tempDir } from './rel-helpers.js';
import { StateError } from '../../src/errors.js';
import { readStateFile, removeStateFile, writeStateFile } from '../../src/state/state-file.js';
import { redactCredentials, redactSecrets } from '../../src/store/redact.js';

const isRoot = process.getuid?.() === 0;

/** The single stderr line of a refused run, with its code. */
function refused(r: { stderr: string; code: number | null }, exit: number, code: string): string {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  assert.equal(r.code, exit, r.stderr);
  assert.match(lines[0], new RegExp(`\\[${code}\\]$`));
  return lines[0];
}

describe('state directory safety', { concurrency: 1 }, () => {
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  let victim: string;
  let n = 0;
  /** A fresh destination path (not created) and state path under the temp dir. */
  const fresh = () => {
    n++;
    return { dest: path.join(tmp.dir, `dest-${n}`), state: path.join(tmp.dir, `state-${n}`) };
  };

  before(() => {
    tmp = tempDir('statedir');
    src = path.join(tmp.dir, 'src');
    makeTree('basic', src);
    victim = path.join(tmp.dir, 'victim');
  });
  after(() => tmp.cleanup());

  const plantVictim = () => {
    writeFileSync(victim, 'victim bytes\n');
    chmodSync(victim, 0o644);
  };
  const victimUntouched = () => {
    assert.equal(readFileSync(victim, 'utf8'), 'victim bytes\n', 'the victim keeps its bytes');
    assert.equal(statSync(victim).mode & 0o777, 0o644, 'the victim keeps its mode');
  };

  for (const name of ['clfsload.lock', 'clfsload.db', 'clfsload.db-wal', 'clfsload.db-shm', 'output.txt']) {
    test(`a new job's state dir holding ${name} -> victim is refused; the victim is not touched`, async () => {
      plantVictim();
      const { dest, state } = fresh();
      mkdirSync(state, { mode: 0o700 });
      symlinkSync(victim, path.join(state, name));
      const r = await runCli(['load', src, dest, '--state-path', state]);
      const line = refused(r, 4, 'CLFS_STATE_UNSAFE');
      assert.match(line, new RegExp(`${name.replace(/\./g, '\\.')} is a symbolic link`));
      victimUntouched();
      assert.ok(lstatSync(path.join(state, name)).isSymbolicLink(), 'the link is left as it was');
    });
  }

  test('output.txt swapped for a link after an interruption: the resume refuses it, nothing is appended or uploaded', async () => {
    plantVictim();
    const { dest, state } = fresh();
    const killed = await runCli(['load', src, dest, '--state-path', state], { env: { CLFSLOAD_TEST_KILL_AT: 'after-bucket:1' } });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    rmSync(path.join(state, 'output.txt'));
    symlinkSync(victim, path.join(state, 'output.txt'));
    const r = await runCli(['load', src, dest, '--state-path', state]);
    refused(r, 4, 'CLFS_STATE_UNSAFE');
    victimUntouched();
    assert.ok(!readdirSync(dest).includes('output.txt'), 'no output.txt blob');
    // with the link removed the job resumes and finishes
    rmSync(path.join(state, 'output.txt'));
    const again = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(again.code, 0, again.stderr);
  });

  test('FINALIZE reads and writes its files with O_NOFOLLOW: a planted link is refused, never read or truncated', () => {
    plantVictim();
    const dir = path.join(tmp.dir, 'finalize-files');
    mkdirSync(dir, { mode: 0o700 });
    symlinkSync(victim, path.join(dir, 'output-old.txt'));
    symlinkSync(victim, path.join(dir, 'problems.txt'));
    const unsafe = (e: unknown) => e instanceof StateError && e.code === 'CLFS_STATE_UNSAFE';
    assert.throws(() => readStateFile(dir, 'output-old.txt'), unsafe);
    assert.throws(() => writeStateFile(dir, 'problems.txt', Buffer.from('x\n')), unsafe);
    victimUntouched();
    removeStateFile(dir, 'problems.txt'); // unlinks the link itself
    assert.ok(existsSync(victim));
    writeStateFile(dir, 'problems.txt', Buffer.from('a\n'));
    assert.equal(statSync(path.join(dir, 'problems.txt')).mode & 0o777, 0o600);
    assert.equal(readStateFile(dir, 'problems.txt').toString(), 'a\n');
  });

  test('a state directory owned by another user is refused, nothing is written in it', { skip: !isRoot && 'needs root to chown' }, async () => {
    const { dest, state } = fresh();
    mkdirSync(state, { mode: 0o700 });
    chownSync(state, NOBODY, NOBODY);
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.match(refused(r, 4, 'CLFS_STATE_UNSAFE'), /owned by uid 65534/);
    assert.deepEqual(readdirSync(state), []);
    assert.ok(!existsSync(dest), 'no destination created');
  });

  test('a state directory others can write is refused and keeps its mode', async () => {
    const { dest, state } = fresh();
    mkdirSync(state);
    chmodSync(state, 0o1777);
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.match(refused(r, 4, 'CLFS_STATE_UNSAFE'), /writable by others/);
    assert.equal(statSync(state).mode & 0o7777, 0o1777);
    assert.deepEqual(readdirSync(state), []);
  });

  test('an existing empty directory is used as it is: its mode is never changed', async () => {
    const { dest, state } = fresh();
    mkdirSync(state);
    chmodSync(state, 0o755);
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(state).mode & 0o7777, 0o755);
    assert.equal(statSync(path.join(state, 'clfsload.db')).mode & 0o777, 0o600);
  });

  test('a non-empty directory holding no job is refused, untouched', async () => {
    const { dest, state } = fresh();
    mkdirSync(state);
    chmodSync(state, 0o755);
    writeFileSync(path.join(state, 'notes.md'), 'mine\n');
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.match(refused(r, 4, 'CLFS_STATE_NOT_JOB'), /holds no clfsload job/);
    assert.equal(statSync(state).mode & 0o7777, 0o755);
    assert.deepEqual(readdirSync(state), ['notes.md']);
    assert.ok(!existsSync(dest), 'no destination created');
  });

  test('a new state directory and its missing parents are created 0700', async () => {
    const { dest } = fresh();
    const state = path.join(tmp.dir, 'deep', 'er', 'state');
    const r = await runCli(['load', src, dest, '--state-path', state]);
    assert.equal(r.code, 0, r.stderr);
    for (const d of [state, path.dirname(state)]) assert.equal(statSync(d).mode & 0o7777, 0o700);
  });

  for (const where of ['/proc/self/clfs-state', '/proc/sys/clfs-state/x']) {
    test(`--state-path ${where} fails at once with one line (exit 4), no spinning`, async () => {
      const { dest } = fresh();
      // the kill only bounds a regression (it spun forever); the assertions are on the outcome
      const r = await runCli(['load', src, dest, '--state-path', where], { timeoutMs: 60_000 });
      assert.equal(r.signal, null, 'exited by itself');
      refused(r, 4, 'CLFS_STATE_OPEN');
      assert.ok(!existsSync(dest), 'no destination created');
    });
  }

  test('a URL-shaped --state-path is refused (exit 2) with its password hidden, and nothing is created', async () => {
    const cwd = path.join(tmp.dir, 'cwd');
    mkdirSync(cwd);
    const dest = path.join(tmp.dir, 'dest-url');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'load', src, dest, '--state-path', 'postgres://u:secret@h/db'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const line = refused(r, 2, 'CLFS_STATE_URL');
    assert.ok(!(r.stdout + r.stderr).includes('secret'), 'the password is never printed');
    assert.match(line, /postgres:\/\/u:<redacted>@h\/db/);
    assert.deepEqual(readdirSync(cwd), [], 'no relative directory made of the URL');
    assert.ok(!existsSync(dest));
  });

  test('a URL-shaped source is reported with its password hidden', async () => {
    const { dest, state } = fresh();
    const r = await runCli(['load', 'postgres://u:secret@h/db', dest, '--state-path', state]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes('secret'), r.stderr);
  });

  test('redactCredentials hides the password of URL-shaped values, also folded by path.resolve', () => {
    assert.equal(redactCredentials('postgres://u:secret@h/db'), 'postgres://u:<redacted>@h/db');
    assert.equal(redactCredentials(`at ${path.resolve('postgres://u:secret@h/db')} x`), `at ${path.resolve('postgres://u:<redacted>@h/db')} x`);
    assert.equal(redactCredentials('mysql://root:p@ss@h:3306/x'), 'mysql://root:<redacted>@h:3306/x');
    assert.ok(!redactSecrets('redis://:hunter2@cache:6379').includes('hunter2'));
    assert.equal(redactCredentials('/data/a:b@c and 10:20 u@h'), '/data/a:b@c and 10:20 u@h');
  });

  test('--state-path equal to the source (reached through a symlink) is refused with exit 2; nothing is written', async () => {
    const { dest } = fresh();
    const link = path.join(tmp.dir, 'src-link');
    symlinkSync(src, link);
    const before = readdirSync(src).sort();
    for (const state of [src, link]) {
      const r = await runCli(['load', src, dest, '--state-path', state]);
      refused(r, 2, 'CLFS_STATE_IS_SOURCE');
    }
    assert.deepEqual(readdirSync(src).sort(), before, 'no state file in the source');
    assert.ok(!existsSync(dest), 'no destination created');
  });

  test('a state dir inside the source, named through a symlink, is excluded by identity, never loaded', async () => {
    const { dest } = fresh();
    const inner = path.join(tmp.dir, 'src-with-state');
    makeTree('basic', inner);
    const link = path.join(tmp.dir, 'state-link');
    symlinkSync(path.join(inner, 'job-state'), link);
    mkdirSync(path.join(inner, 'job-state'), { mode: 0o700 });
    const r = await runCli(['load', inner, dest, '--state-path', link, '--output-type', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"finalJobStatus":"Completed"/);
    const ls = await runCli(['ls', dest]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.doesNotMatch(ls.stdout, /job-state/);
  });

  for (const [what, make] of [['missing', () => undefined], ['a file', (p: string) => writeFileSync(p, 'x')]] as const) {
    test(`a source that is ${what}: exit 2, and no state dir, database or destination is created`, async () => {
      const { dest, state } = fresh();
      const bad = path.join(tmp.dir, `bad-source-${n}`);
      make(bad);
      const r = await runCli(['load', bad, dest, '--state-path', state]);
      refused(r, 2, what === 'missing' ? 'CLFS_SOURCE_MISSING' : 'CLFS_SOURCE_NOT_DIR');
      assert.ok(!existsSync(state), 'no state dir');
      assert.ok(!existsSync(dest), 'no destination');
    });
  }
});
