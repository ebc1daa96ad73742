/** `clfsload cat <container> <path>`: write one regular file's bytes to stdout, streamed. */
import { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('cat')
    .description('write a regular file of a CLFS container to stdout')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .argument('<path>', 'path inside the container, "/"-separated, relative to the root')
    .action(async (location: string, path: string) => (await import('./cat-action.js')).catAction(location, path));
}
