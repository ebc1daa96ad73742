/** Streaming directory listing with raw byte names. */
import { constants, existsSync } from 'node:fs';
import { open, opendir } from 'node:fs/promises';

/**
 * Yields the names of a directory in readdir order, as raw bytes (invalid UTF-8 survives),
 * without holding the whole listing in memory. `.` and `..` are never yielded.
 */
export async function* readDirNames(dirPath: Buffer): AsyncGenerator<Buffer> {
  // The directory is opened with O_NOFOLLOW | O_DIRECTORY and listed through /proc/self/fd: a
  // directory swapped for a symlink after the scan is refused, never followed out of the tree.
  const fh = await open(dirPath, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    const viaFd = `/proc/self/fd/${fh.fd}`;
    const target = existsSync(viaFd) ? viaFd : dirPath; // without /proc (not Linux), the checked path
    // opendir's typings only take strings; Node accepts a Buffer path and buffer encoding at runtime.
    const dir = await opendir(target as unknown as string, { encoding: 'buffer' as BufferEncoding, bufferSize: 256 });
    for await (const ent of dir) {
      yield ent.name as unknown as Buffer;
    }
  } finally {
    await fh.close();
  }
}

/** Joins a directory path and an entry name as bytes. */
export function joinPath(dir: Buffer, name: Buffer): Buffer {
  if (dir.length > 0 && dir[dir.length - 1] === 0x2f) return Buffer.concat([dir, name]);
  return Buffer.concat([dir, Buffer.from('/'), name]);
}
