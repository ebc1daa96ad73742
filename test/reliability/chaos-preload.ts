/**
 * Test-only preload for the CLI child (`NODE_OPTIONS=--import <this file, built>`): makes precise,
 * deterministic trouble that a timer or a named hook cannot, without touching src/.
 *
 * CLFS_CHAOS_KILL_IN_TXN=n   SIGKILL inside the n-th state-database transaction, after its body
 *                            ran and before COMMIT (better-sqlite3's Database#transaction wrapped).
 * CLFS_CHAOS_TXN_COUNT=file  on exit, write how many transactions ran (to pick n across a whole job).
 * CLFS_CHAOS_FS=<json>       [{ "match": "<substring of a source path>", "action": A }], each once:
 *                            A = "grow" | "shrink": the file changes right after the loader's fstat
 *                                of its open handle (the size it trusts), before any data is read;
 *                            A = "vanish": the file or directory is removed just before it is opened;
 *                            A = "fifo" | "symlink": just before it is opened, the file is replaced
 *                            by a FIFO, or by a symlink to `target` (an attacker swapping entries).
 *                            With "at": "lstat" the swap happens right after the scan's lstat of the
 *                            entry instead (the scan saw the old type; everything later sees the new).
 * CLFS_CHAOS_CHILD_LOG=file  append the argv of every child process started (JSON, one per line).
 * CLFS_CHAOS_KILL_AT_RENAME=n  SIGKILL at the n-th rename of a local store's temp file into place
 *                            (the blob is fully written, not yet published: a temp file is left).
 * CLFS_CHAOS_KILL_AT_WRITE=n   SIGKILL in the n-th write of a new local blob straight to its name
 *                            (a worker's openSync 'wx' of a non-temp file): half its bytes are
 *                            written, so a partial blob is left under its final name.
 *
 * The loader's worker threads run this preload too (src/util/worker-pool.ts passes NODE_OPTIONS'
 * --import on), so the synchronous calls they make (openSync, fstatSync, lstatSync, renameSync)
 * are instrumented like the promise calls of the main thread. Each thread keeps its own "once"
 * state; a path is only ever opened by one of them.
 */
import fs, { appendFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import childProcess, { execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

interface FsRule {
  match: string;
  action: 'grow' | 'shrink' | 'vanish' | 'fifo' | 'symlink';
  target?: string;
  at?: 'open' | 'lstat';
  used?: boolean;
}

const killAt = Number(process.env.CLFS_CHAOS_KILL_IN_TXN ?? '0');
const countFile = process.env.CLFS_CHAOS_TXN_COUNT;
let transactions = 0;

if (killAt > 0 || countFile) {
  const proto = Database.prototype as unknown as { transaction: (fn: (...a: unknown[]) => unknown) => unknown };
  const original = proto.transaction;
  proto.transaction = function (this: unknown, fn: (...a: unknown[]) => unknown) {
    return original.call(this, function (this: unknown, ...args: unknown[]) {
      const result = fn.apply(this, args);
      transactions++;
      if (transactions === killAt) process.kill(process.pid, 'SIGKILL');
      return result;
    });
  };
  // transactions run on the main thread; a worker's count (0) must not overwrite it
  if (countFile && isMainThread) process.on('exit', () => writeFileSync(countFile, String(transactions)));
}

const rules: FsRule[] = JSON.parse(process.env.CLFS_CHAOS_FS ?? '[]');

function ruleFor(p: unknown, actions: FsRule['action'][], at: FsRule['at'] = 'open'): FsRule | undefined {
  const s = Buffer.isBuffer(p) ? p.toString() : String(p);
  const rule = rules.find((r) => !r.used && (r.at ?? 'open') === at && actions.includes(r.action) && s.includes(r.match));
  if (rule) rule.used = true;
  return rule;
}

/** Swaps `path` for a FIFO or a symlink to `target`. */
function swap(path: string, rule: FsRule): void {
  rmSync(path, { recursive: true, force: true });
  if (rule.action === 'fifo') execFileSync('mkfifo', [path]);
  else symlinkSync(rule.target ?? '/etc/hostname', path);
}


if (rules.length > 0) {
  const open = fsp.open;
  const opendir = fsp.opendir;
  fsp.open = async function (p: Parameters<typeof fsp.open>[0], ...rest: unknown[]) {
    if (ruleFor(p, ['vanish'])) rmSync(p as string, { recursive: true, force: true });
    const swapped = ruleFor(p, ['fifo', 'symlink']);
    if (swapped) swap(String(p), swapped);
    const fh = await (open as (...a: unknown[]) => Promise<fsp.FileHandle>)(p, ...rest);
    const rule = ruleFor(p, ['grow', 'shrink']);
    if (rule) {
      const stat = fh.stat.bind(fh);
      fh.stat = (async (...a: unknown[]) => {
        const st = await (stat as (...x: unknown[]) => Promise<{ size: number | bigint }>)(...a);
        if (rule.action === 'grow') appendFileSync(p as string, Buffer.alloc(4096, 0x47));
        else truncateSync(p as string, Math.floor(Number(st.size) / 2));
        return st;
      }) as typeof fh.stat;
    }
    return fh;
  } as typeof fsp.open;
  fsp.opendir = function (p: Parameters<typeof fsp.opendir>[0], ...rest: unknown[]) {
    if (ruleFor(p, ['vanish'])) rmSync(p as string, { recursive: true, force: true });
    return (opendir as (...a: unknown[]) => ReturnType<typeof fsp.opendir>)(p, ...rest);
  } as typeof fsp.opendir;
  // the same rules for the workers' synchronous calls (an fd remembers its path for fstatSync)
  const openSync = fs.openSync;
  const fstatSync = fs.fstatSync;
  const lstatSync = fs.lstatSync;
  const pathOfFd = new Map<number, { path: string; rule: FsRule }>();
  fs.openSync = function (p: Parameters<typeof fs.openSync>[0], ...rest: unknown[]) {
    if (ruleFor(p, ['vanish'])) rmSync(p as string, { recursive: true, force: true });
    const swapped = ruleFor(p, ['fifo', 'symlink']);
    if (swapped) swap(String(p), swapped);
    const fd = (openSync as (...a: unknown[]) => number)(p, ...rest);
    const rule = ruleFor(p, ['grow', 'shrink']);
    if (rule) pathOfFd.set(fd, { path: String(p), rule });
    return fd;
  } as typeof fs.openSync;
  fs.fstatSync = function (fd: number, ...rest: unknown[]) {
    const st = (fstatSync as (...a: unknown[]) => { size: number | bigint })(fd, ...rest);
    const hit = pathOfFd.get(fd);
    if (hit) {
      pathOfFd.delete(fd);
      if (hit.rule.action === 'grow') appendFileSync(hit.path, Buffer.alloc(4096, 0x47));
      else truncateSync(hit.path, Math.floor(Number(st.size) / 2));
    }
    return st;
  } as typeof fs.fstatSync;
  (fs as unknown as Record<string, unknown>).lstatSync = function (p: Parameters<typeof fs.lstatSync>[0], ...rest: unknown[]) {
    const st = (lstatSync as (...a: unknown[]) => ReturnType<typeof fs.lstatSync>)(p, ...rest);
    const swapped = ruleFor(p, ['fifo', 'symlink'], 'lstat');
    if (swapped) swap(Buffer.isBuffer(p) ? p.toString() : String(p), swapped);
    return st;
  };
  const lstat = fsp.lstat;
  fsp.lstat = async function (p: Parameters<typeof fsp.lstat>[0], ...rest: unknown[]) {
    const st = await (lstat as (...a: unknown[]) => ReturnType<typeof fsp.lstat>)(p, ...rest);
    const swapped = ruleFor(p, ['fifo', 'symlink'], 'lstat');
    if (swapped) swap(Buffer.isBuffer(p) ? p.toString() : String(p), swapped);
    return st;
  } as typeof fsp.lstat;
  syncBuiltinESMExports();
}

const killAtWrite = Number(process.env.CLFS_CHAOS_KILL_AT_WRITE ?? '0');
if (killAtWrite > 0) {
  const openSync = fs.openSync;
  const writeSync = fs.writeSync;
  const newBlobFds = new Set<number>();
  let writes = 0;
  fs.openSync = function (p: Parameters<typeof fs.openSync>[0], ...rest: unknown[]) {
    const fd = (openSync as (...a: unknown[]) => number)(p, ...rest);
    if (rest[0] === 'wx' && !String(p).includes('.clfs-tmp')) newBlobFds.add(fd);
    return fd;
  } as typeof fs.openSync;
  fs.writeSync = function (fd: number, buffer: Uint8Array, offset?: number, length?: number, ...rest: unknown[]) {
    if (newBlobFds.delete(fd) && ++writes === killAtWrite) {
      const len = length ?? buffer.length - (offset ?? 0);
      (writeSync as (...a: unknown[]) => number)(fd, buffer, offset ?? 0, Math.floor(len / 2), ...rest);
      process.kill(process.pid, 'SIGKILL');
    }
    return (writeSync as (...a: unknown[]) => number)(fd, buffer, offset, length, ...rest);
  } as typeof fs.writeSync;
  syncBuiltinESMExports();
}

const childLog = process.env.CLFS_CHAOS_CHILD_LOG;
if (childLog) {
  const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const fn of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']) {
    const original = cp[fn] as ((...a: unknown[]) => unknown) & { [promisify.custom]?: (...a: unknown[]) => unknown };
    const record = (args: unknown[]) => appendFileSync(childLog, `${JSON.stringify({ fn, argv: [args[0], ...(Array.isArray(args[1]) ? args[1] : [])] })}\n`);
    const wrapped = function (this: unknown, ...args: unknown[]) {
      record(args);
      return original.apply(this, args);
    } as typeof original;
    const custom = original[promisify.custom];
    // util.promisify(execFile) uses this hook, not the function itself
    if (custom) wrapped[promisify.custom] = (...args: unknown[]) => (record(args), custom(...args));
    cp[fn] = wrapped;
  }
  syncBuiltinESMExports();
}

const killAtRename = Number(process.env.CLFS_CHAOS_KILL_AT_RENAME ?? '0');
if (killAtRename > 0) {
  const rename = fsp.rename;
  let renames = 0;
  fsp.rename = async function (from: Parameters<typeof fsp.rename>[0], to: Parameters<typeof fsp.rename>[1]) {
    if (String(from).includes('.clfs-tmp') && ++renames === killAtRename) process.kill(process.pid, 'SIGKILL');
    return rename(from, to);
  } as typeof fsp.rename;
  // Small blobs are renamed by the store's worker threads: count there too. Each thread counts
  // its own renames, so with two put workers the kill comes at one of them's n-th rename.
  const renameSync = fs.renameSync;
  fs.renameSync = function (from: Parameters<typeof fs.renameSync>[0], to: Parameters<typeof fs.renameSync>[1]) {
    if (String(from).includes('.clfs-tmp') && ++renames === killAtRename) process.kill(process.pid, 'SIGKILL');
    return renameSync(from, to);
  } as typeof fs.renameSync;
  syncBuiltinESMExports();
}
