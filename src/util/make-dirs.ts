/**
 * `mkdir -p` by hand, for the state directory, a local destination and export's destination.
 * Not Node's mkdir {recursive: true}: where mkdir fails with ENOENT under an existing directory
 * (procfs: `/proc/self/x`, `/proc/sys/x`) it retries forever at 100 % CPU; here each component
 * is tried once. Symlinks in the ancestors the user typed are followed (as mkdir -p does); the
 * last component is never followed, nor is any component that appears while we create: each
 * missing directory is made and opened relative to its parent's descriptor (Linux
 * `/proc/self/fd/N/name`, as Node has no mkdirat/openat). Failures come back as typed reasons;
 * each caller words them for its own error class and code.
 */
import { closeSync, constants as C, fstatSync, lstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Linux O_PATH (not in fs.constants): a directory descriptor to resolve from, with no read permission needed. */
const O_PATH = 0o10000000;

export type MakeDirsFailure =
  /** `path` (the target) exists and is not a directory; `kind` says what it is ("a file", "a FIFO", …) */
  | { reason: 'not-a-directory'; path: string; kind: string }
  /** `path` (the target) is a symbolic link: never followed */
  | { reason: 'symlink'; path: string }
  /** `path`, an ancestor of the target, is not a directory (`kind`: what it is) */
  | { reason: 'parent-not-a-directory'; path: string; kind: string }
  | { reason: 'permission-denied'; path: string; code: string; error: unknown }
  | { reason: 'read-only'; path: string; error: unknown }
  /** mkdir said ENOENT under an existing directory (procfs, sysfs), or the new directory vanished at once */
  | { reason: 'cannot-create-there'; path: string; error: unknown }
  /** a directory this call made was replaced (by a symlink, another user's entry) before it was opened */
  | { reason: 'replaced'; path: string }
  | { reason: 'other'; path: string; code: string; error: unknown };

export type MakeDirsResult =
  /** `fd`: the target opened O_RDONLY|O_DIRECTORY|O_NOFOLLOW (the caller closes it); `created`: this call made it */
  | { ok: true; fd: number; created: boolean }
  | { ok: false; failure: MakeDirsFailure };

/** What a non-directory is, for messages. */
export function kindOf(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  return 'not a directory';
}

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/** A failed system call on `p`, as a reason. */
function errnoFailure(p: string, err: unknown): MakeDirsFailure {
  const code = codeOf(err);
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission-denied', path: p, code, error: err };
  if (code === 'EROFS') return { reason: 'read-only', path: p, error: err };
  if (code === 'ENOENT') return { reason: 'cannot-create-there', path: p, error: err };
  return { reason: 'other', path: p, code, error: err };
}

class Failed extends Error {
  constructor(readonly failure: MakeDirsFailure) {
    super(failure.reason);
  }
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** An entry that is there but is not (or not any more) a directory we may enter. */
function notDir(p: string, shown: string, isTarget: boolean): MakeDirsFailure {
  const st = lstatOrUndefined(p);
  if (!st || st.isDirectory()) return { reason: 'replaced', path: shown };
  if (isTarget) return st.isSymbolicLink() ? { reason: 'symlink', path: shown } : { reason: 'not-a-directory', path: shown, kind: kindOf(st) };
  return { reason: 'parent-not-a-directory', path: shown, kind: kindOf(st) };
}

/**
 * Finds the deepest existing ancestor of `target` (lstat, walking up) and returns it with the
 * missing components below it, top down. The target itself, when it exists, is returned as the
 * ancestor with nothing missing.
 */
function findExisting(target: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  for (let cur = target; ; cur = path.dirname(cur)) {
    try {
      lstatSync(cur);
      return { existing: cur, missing: missing.reverse() };
    } catch (err) {
      const code = codeOf(err);
      // ENOTDIR: a component above is not a directory; walking up finds and names it. EACCES: a
      // directory above may not be searched; the mkdir below it then names the component denied
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES') throw new Failed(errnoFailure(cur, err));
      if (path.dirname(cur) === cur) throw new Failed({ reason: 'cannot-create-there', path: cur, error: err });
      missing.push(path.basename(cur));
    }
  }
}

/** Opens the existing ancestor (following the symlinks the user typed) to create below it. */
function openAncestor(p: string): number {
  try {
    return openSync(p, O_PATH | C.O_DIRECTORY);
  } catch (err) {
    const code = codeOf(err);
    if (code !== 'ENOTDIR' && code !== 'ENOENT') throw new Failed(errnoFailure(p, err));
    let kind: string;
    try {
      kind = kindOf(statSync(p)); // through a symlink: what it points to
    } catch {
      kind = lstatOrUndefined(p)?.isSymbolicLink() ? 'a dangling symbolic link' : 'gone';
    }
    throw new Failed({ reason: 'parent-not-a-directory', path: p, kind });
  }
}

/** Opens `name` of directory `parentFd` as a directory, never following a symlink there. */
function openChild(parentFd: number, name: string, shown: string, isTarget: boolean): number {
  const p = `/proc/self/fd/${parentFd}/${name}`;
  try {
    return openSync(p, (isTarget ? C.O_RDONLY : O_PATH) | C.O_DIRECTORY | C.O_NOFOLLOW);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOTDIR' || code === 'ELOOP') throw new Failed(notDir(p, shown, isTarget));
    throw new Failed(errnoFailure(shown, err));
  }
}

/**
 * Creates directory `dir` (mode `mode`, less the umask) and its missing parents; see the file
 * comment. An existing target must be a real directory (not a symlink).
 */
export function makeDirs(dir: string, mode: number): MakeDirsResult {
  const target = path.resolve(dir);
  let fd: number | undefined;
  try {
    const { existing, missing } = findExisting(target);
    if (missing.length === 0) {
      // the target exists: open it from its parent, so its last component is never followed
      const parent = openAncestor(path.dirname(target));
      try {
        fd = target === '/' ? openSync('/', C.O_RDONLY | C.O_DIRECTORY) : openChild(parent, path.basename(target), target, true);
      } finally {
        closeSync(parent);
      }
      return { ok: true, fd, created: false };
    }
    fd = openAncestor(existing);
    let cur = existing;
    let created = false;
    for (const [i, name] of missing.entries()) {
      cur = path.join(cur, name);
      const isTarget = i === missing.length - 1;
      try {
        mkdirSync(`/proc/self/fd/${fd}/${name}`, mode);
        created = true;
      } catch (err) {
        // EEXIST: made meanwhile by someone else; fine if it is a directory (openChild checks)
        if (codeOf(err) !== 'EEXIST') throw new Failed(errnoFailure(cur, err));
        created = false;
      }
      const child = openChild(fd, name, cur, isTarget);
      closeSync(fd);
      fd = child;
      if (created) {
        const st = fstatSync(fd);
        if (!st.isDirectory() || st.uid !== process.geteuid?.()) throw new Failed({ reason: 'replaced', path: cur });
      }
    }
    return { ok: true, fd, created };
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (err instanceof Failed) return { ok: false, failure: err.failure };
    throw err;
  }
}
