/** What `clfsload cat` does (loaded when the command runs: other commands never pay its modules). */
import { fileChunks } from '../../read/file-content.js';
import { typeOfBtype } from '../../read/entry-kind.js';
import { ReadError } from '../../read/read-error.js';
import { resolvePath } from '../../read/resolve-path.js';
import { openReadContainer } from '../read-open.js';
import { writeOut } from '../output-stream.js';
import { quietOnClosedPipe } from '../closed-pipe.js';

export async function catAction(location: string, path: string): Promise<void> {
  const c = await openReadContainer(location, { index: 'lazy' });
  const node = await resolvePath(c, path);
  const type = typeOfBtype(node.inode.vattr.btype);
  if (type !== 'file') throw new ReadError('CLFS_READ_NOT_A_FILE', `not a regular file (${type})`, { path: node.path });
  await quietOnClosedPipe(async () => {
    for await (const chunk of fileChunks(c, node.id, node.inode, { path: node.path, blob: node.blob })) await writeOut(chunk);
  });
}
