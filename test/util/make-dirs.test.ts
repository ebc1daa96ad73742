/**
 * util/make-dirs.ts, the one `mkdir -p` of the state directory, a local destination and export's
 * destination: what it refuses (and why, as a typed reason), that it never follows the last
 * component nor spins on procfs, and that concurrent creators all succeed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirs, type MakeDirsFailure } from '../../src/util/make-dirs.js';

const isRoot = process.getuid?.() === 0;
const moduleFile = fileURLToPath(new URL('../../src/util/make-dirs.js', import.meta.url));

function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-make-dirs-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Expects a failure; returns it with the fields the table compares. */
function failure(target: string): Pick<MakeDirsFailure, 'reason' | 'path'> & { kind?: string; code?: string } {
  const r = makeDirs(target, 0o700);
  if (r.ok) {
    closeSync(r.fd);
    assert.fail(`${target}: expected a failure, it succeeded`);
  }
  const f = r.failure as MakeDirsFailure & { kind?: string; code?: string };
  return { reason: f.reason, path: f.path, ...(f.kind ? { kind: f.kind } : {}), ...(f.reason === 'permission-denied' ? { code: f.code } : {}) };
}

test('refusals: each a typed reason naming the path, nothing created, no descriptor left open', () => {
  const t = scratch();
  try {
    const p = (...names: string[]) => path.join(t.dir, ...names);
    writeFileSync(p('file'), 'x');
    execFileSync('mkfifo', [p('fifo')]);
    mkdirSync(p('real'));
    symlinkSync('real', p('link'));
    symlinkSync('nowhere', p('dangling'));
    symlinkSync('file', p('link-to-file'));
    const before = openFds();
    const table: [string, ReturnType<typeof failure>][] = [
      [p('file'), { reason: 'not-a-directory', path: p('file'), kind: 'a file' }],
      [p('fifo'), { reason: 'not-a-directory', path: p('fifo'), kind: 'a FIFO' }],
      ['/dev/null', { reason: 'not-a-directory', path: '/dev/null', kind: 'a character device' }],
      [p('file', 'below', 'deeper'), { reason: 'parent-not-a-directory', path: p('file'), kind: 'a file' }],
      [p('fifo', 'x'), { reason: 'parent-not-a-directory', path: p('fifo'), kind: 'a FIFO' }],
      // the last component is never followed, whether it leads to a directory or nowhere
      [p('link'), { reason: 'symlink', path: p('link') }],
      [p('dangling'), { reason: 'symlink', path: p('dangling') }],
      [p('dangling', 'x'), { reason: 'parent-not-a-directory', path: p('dangling'), kind: 'a dangling symbolic link' }],
      [p('link-to-file', 'x'), { reason: 'parent-not-a-directory', path: p('link-to-file'), kind: 'a file' }],
      // procfs refuses mkdir with ENOENT under an existing directory: tried once, not forever
      ['/proc/self/x', { reason: 'cannot-create-there', path: '/proc/self/x' }],
      ['/proc/sys/x/y', { reason: 'cannot-create-there', path: '/proc/sys/x' }],
    ];
    for (const [target, expected] of table) assert.deepEqual(failure(target), expected, target);
    assert.equal(openFds(), before, 'every descriptor closed');
    assert.deepEqual(readdirSync(t.dir).sort(), ['dangling', 'fifo', 'file', 'link', 'link-to-file', 'real']);
    assert.deepEqual(readdirSync(p('real')), [], 'nothing made through the link');
    assert.equal(existsSync('/proc/sys/x'), false);
  } finally {
    t.cleanup();
  }
});

test('creates missing components top down with the mode, returns the target open; an existing one is opened, not created', () => {
  const t = scratch();
  try {
    const target = path.join(t.dir, 'a', 'b', 'c');
    const r = makeDirs(target, 0o700);
    assert.ok(r.ok);
    assert.equal(r.created, true);
    assert.equal(fstatSync(r.fd).ino, statSync(target).ino, 'the descriptor is the target');
    closeSync(r.fd);
    for (const d of ['a', 'a/b', 'a/b/c']) assert.equal(statSync(path.join(t.dir, d)).mode & 0o7777, 0o700, d);
    const again = makeDirs(target, 0o700);
    assert.ok(again.ok);
    assert.equal(again.created, false);
    closeSync(again.fd);
    // a symlink in an ancestor the user typed is followed, as mkdir -p does
    symlinkSync(path.join(t.dir, 'a'), path.join(t.dir, 'via'));
    const via = makeDirs(path.join(t.dir, 'via', 'b', 'new'), 0o755);
    assert.ok(via.ok);
    assert.equal(via.created, true);
    closeSync(via.fd);
    assert.equal(statSync(path.join(t.dir, 'a', 'b', 'new')).mode & 0o7777, 0o755 & ~process.umask());
  } finally {
    t.cleanup();
  }
});

/** One makeDirs result as a child prints it (a failure without its error object). */
interface Outcome {
  ok?: boolean;
  created?: boolean;
  reason?: string;
}

interface Child {
  /** resolves once the child waits at the barrier (at once without one) */
  ready: Promise<void>;
  done: Promise<{ code: number | null; result: unknown }>;
}

/** Runs makeDirs on each target in a child node process (optionally as another user, after a barrier); the results as JSON. */
function child(targets: string | string[], prefix: string[] = [], barrier?: string): Child {
  const script = `
    import { openSync, readSync, closeSync } from 'node:fs';
    const { makeDirs } = await import(${JSON.stringify(moduleFile)});
    const barrier = ${JSON.stringify(barrier ?? null)};
    if (barrier) { const fd = openSync(barrier, 'r'); process.stdout.write('ready\\n'); readSync(fd, Buffer.alloc(1)); closeSync(fd); }
    const out = [];
    for (const target of ${JSON.stringify([targets].flat())}) {
      const r = makeDirs(target, 0o700);
      if (r.ok) closeSync(r.fd);
      const { error, ...rest } = r.ok ? r : r.failure;
      out.push(r.ok ? { ok: true, created: r.created } : rest);
    }
    process.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out) + '\\n');`;
  const [cmd, ...args] = [...prefix, process.execPath, '--input-type=module', '-e', script];
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onReady = (): void => undefined;
  const ready = barrier ? new Promise<void>((resolve) => (onReady = resolve)) : Promise.resolve();
  c.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.startsWith('ready\n')) onReady();
  });
  const done = new Promise<{ code: number | null; result: unknown }>((resolve, reject) => {
    c.on('error', reject);
    c.on('close', (code) => {
      onReady(); // a child that died before the barrier must not hang the test
      const line = out.split('\n').find((l) => l && l !== 'ready');
      resolve({ code, result: line ? JSON.parse(line) : {} });
    });
  });
  return { ready, done };
}

test('no permission (as uid 65534): permission-denied naming the component, nothing created', { skip: !isRoot && 'needs root to switch users' }, async () => {
  const t = scratch();
  try {
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const locked = path.join(t.dir, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    const closed = path.join(t.dir, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    execFileSync('chmod', ['755', t.dir]);
    const a = await child(path.join(locked, 'x', 'y'), asNobody).done;
    assert.deepEqual(a, { code: 0, result: { reason: 'permission-denied', path: path.join(locked, 'x'), code: 'EACCES' } });
    // inside a directory it may not even search: the first component it would make is named
    const b = await child(path.join(closed, 'x', 'y'), asNobody).done;
    assert.deepEqual(b, { code: 0, result: { reason: 'permission-denied', path: path.join(closed, 'x'), code: 'EACCES' } });
    assert.deepEqual(readdirSync(locked), []);
    assert.deepEqual(readdirSync(closed), []);
  } finally {
    t.cleanup();
  }
});

test('a read-only file system: read-only, naming the component', { skip: !isRoot && 'needs root to mount' }, (ctx) => {
  const t = scratch();
  try {
    const ro = path.join(t.dir, 'ro');
    mkdirSync(ro);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro], { stdio: 'ignore' });
    } catch {
      ctx.skip('mount not permitted here');
      return;
    }
    try {
      assert.deepEqual(failure(path.join(ro, 'x', 'y')), { reason: 'read-only', path: path.join(ro, 'x') });
    } finally {
      execFileSync('umount', [ro]);
    }
  } finally {
    t.cleanup();
  }
});

test('concurrent creators of deep paths: all succeed, exactly one made each target', async () => {
  const t = scratch();
  try {
    // ten deep paths, made in turn by each child: the children collide on most components
    const targets = Array.from({ length: 10 }, (_, k) => path.join(t.dir, `t${k}`, ...Array.from({ length: 30 }, (_, i) => `d${i}`)));
    // a FIFO as a start gate: all children block reading it, one write releases them together
    const gate = path.join(t.dir, 'gate');
    execFileSync('mkfifo', [gate]);
    const gateFd = openSync(gate, 'r+'); // held open, so the children's opens do not block
    const n = 8;
    const runs = Array.from({ length: n }, () => child(targets, [], gate));
    await Promise.all(runs.map((r) => r.ready));
    writeSync(gateFd, Buffer.alloc(n)); // one byte each: all start together
    const results = await Promise.all(runs.map((r) => r.done));
    closeSync(gateFd);
    const show = JSON.stringify(results);
    for (const r of results) assert.equal(r.code, 0, show);
    const outcomes = results.map((r) => r.result as Outcome[]);
    for (const [k, target] of targets.entries()) {
      for (const o of outcomes) assert.equal(o[k].ok, true, show);
      assert.equal(outcomes.filter((o) => o[k].created).length, 1, show);
      assert.ok(statSync(target).isDirectory());
    }
  } finally {
    t.cleanup();
  }
});
