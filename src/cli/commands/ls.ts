/** `clfsload ls <container> [path] [-R] [-l]`: list a directory of a container (entries in stored order). */
import { Command } from 'commander';
import type { LsOptions } from './ls-action.js';

export function register(program: Command): void {
  program
    .command('ls')
    .description('list a directory of a CLFS container (stored entry order, like ls -U)')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .argument('[path]', 'path inside the container, "/"-separated, relative to the root', '')
    .option('-R, --recursive', 'list subdirectories recursively')
    .option('-l, --long', 'long format: mode, nlink, uid, gid, size, mtime (UTC), name, symlink target')
    .action(async (location: string, path: string, opts: LsOptions) => (await import('./ls-action.js')).lsAction(location, path, opts));
}
