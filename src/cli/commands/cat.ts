/** `clfsload cat <container> <path>`: write one regular file's bytes to stdout, streamed. */
import { Command } from 'commander';
import { fileChunks } from '../../read/file-content.js';
import { typeOfBtype } from '../../read/entry-kind.js';
import { ReadError } from '../../read/read-error.js';
import { resolvePath } from '../../read/resolve-path.js';
import { openReadContainer } from '../read-open.js';
import { writeOut } from '../output-stream.js';

export function register(program: Command): void {
  program
    .command('cat')
    .description('write a regular file of a CLFS container to stdout')
    .argument('<container>', 'container URL with SAS, or a local directory holding one file per blob')
    .argument('<path>', 'path inside the container, "/"-separated, relative to the root')
    .action(async (location: string, path: string) => {
      const c = await openReadContainer(location, { index: 'lazy' });
      const node = await resolvePath(c, path);
      const type = typeOfBtype(node.inode.vattr.btype);
      if (type !== 'file') throw new ReadError('CLFS_READ_NOT_A_FILE', `not a regular file (${type})`, { path: node.path });
      for await (const chunk of fileChunks(c, node.id, node.inode, { path: node.path })) await writeOut(chunk);
    });
}
