/** What `clfsload ls` does (loaded when the command runs: other commands never pay its modules). */
import { FormatError } from '../../errors.js';
import { Ftype, idHex, isRootId } from '../../format/index.js';
import type { Container, OpenOptions } from '../../read/container.js';
import type { InodeObject } from '../../format/index.js';
import { directoryEntries } from '../../read/dir-entries.js';
import { DisplayPath } from '../../read/display-path.js';
import { typeOfBtype } from '../../read/entry-kind.js';
import { escapeName, escapeText } from '../../util/escape-name.js';
import { listDirectory } from '../../read/list-dir.js';
import { ReadError } from '../../read/read-error.js';
import { pathComponents, resolvePath } from '../../read/resolve-path.js';
import { EXIT } from '../exit-codes.js';
import { openReadContainer } from '../read-open.js';
import { outputs, writeOut } from '../output-stream.js';
import { longLine, unknownLongLine } from '../output-ls.js';
import { quietOnClosedPipe } from '../closed-pipe.js';

export interface LsOptions {
  recursive?: boolean;
  long?: boolean;
}

interface DirTask {
  id: Uint8Array;
  path: DisplayPath;
  inode?: InodeObject;
}

/** Container damage local to one entry or directory: reported, and the listing goes on. */
function isDamage(err: unknown): err is ReadError | FormatError {
  return err instanceof ReadError || err instanceof FormatError;
}

class Lister {
  problems = 0;
  constructor(private readonly c: Container, private readonly opts: LsOptions) {}

  /** One stderr line (paths are escaped; messages name ids and blob names, never raw entry names). */
  async report(what: string, path: DisplayPath, err: ReadError | FormatError): Promise<void> {
    this.problems++;
    await writeOut(`clfsload: ${what} '${path.isRoot ? '.' : path.toString()}': ${err.message} [${err.code}]\n`, outputs.stderr);
  }

  /** Lists one directory, pushing its subdirectories (for -R) onto `subdirs` as they are met. */
  async listOne(dir: DirTask, inode: InodeObject, subdirs: DirTask[]): Promise<void> {
    if (this.opts.long) {
      for await (const e of listDirectory(this.c, dir.id, inode)) {
        const name = escapeName(e.name);
        if (e.error) {
          await this.report('cannot access', dir.path.child(name), e.error);
          await writeOut(unknownLongLine(name) + '\n');
          continue;
        }
        await writeOut(longLine(name, e.inode!) + '\n');
        if (e.type === 'dir' && this.opts.recursive) subdirs.push({ id: e.id, path: dir.path.child(name), inode: e.inode });
      }
    } else {
      // names only: no inode reads; the child's type comes from its filehandle (§13 step 5)
      for await (const e of directoryEntries(this.c, dir.id, inode)) {
        const name = escapeName(e.name);
        await writeOut(name + '\n');
        if (this.opts.recursive && (isRootId(e.fh) || (e.fh.length === 24 && e.fh[6] === Ftype.DIR))) subdirs.push({ id: e.fh, path: dir.path.child(name) });
      }
    }
  }

  /** Depth first, like ls -R: a directory's listing, then each subdirectory's. */
  async walk(top: DirTask): Promise<void> {
    const stack: DirTask[] = [top];
    const seen = new Set<string>(); // a damaged container may name a directory twice (or an ancestor)
    let first = true;
    while (stack.length > 0) {
      const dir = stack.pop()!;
      if (seen.has(idHex(dir.id))) continue;
      seen.add(idHex(dir.id));
      if (this.opts.recursive) await writeOut(`${first ? '' : '\n'}${dir.path.isRoot ? '.' : dir.path.toString()}:\n`);
      first = false;
      const subdirs: DirTask[] = [];
      try {
        const inode = dir.inode ?? (await this.c.readInode(dir.id)).inode;
        await this.listOne(dir, inode, subdirs);
      } catch (err) {
        if (!isDamage(err)) throw err;
        await this.report('cannot read directory', dir.path, err);
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
  }
}

/**
 * Lists `path` of an open container to stdout; damaged entries and directories are reported on
 * stderr (one line each) and skipped, like GNU ls. Returns how many were reported.
 */
export async function lsContainer(c: Container, path: string, opts: LsOptions): Promise<number> {
  const node = await resolvePath(c, path);
  const shown = DisplayPath.of(pathComponents(node.path).map(escapeText));
  if (typeOfBtype(node.inode.vattr.btype) !== 'dir') {
    await writeOut((opts.long ? longLine(shown.toString(), node.inode) : shown.toString()) + '\n');
    return 0;
  }
  const lister = new Lister(c, opts);
  await lister.walk({ id: node.id, path: shown, inode: node.inode });
  return lister.problems;
}

/**
 * How ls opens the container. -R reads every directory's inode: one listing of the container (an
 * index) beats one prefix listing per directory, which a local store answers by reading the whole
 * directory each time (quadratic: a 3,000-level chain took 10 s). Plain ls and -l stay lazy.
 */
export function lsOpenOptions(opts: LsOptions): OpenOptions {
  return { index: opts.recursive ? 'full' : 'lazy' };
}

export async function lsAction(location: string, path: string, opts: LsOptions): Promise<void> {
  const c = await openReadContainer(location, lsOpenOptions(opts));
  await quietOnClosedPipe(async () => {
    if ((await lsContainer(c, path, opts)) > 0) process.exitCode = EXIT.FAILED;
  });
}
