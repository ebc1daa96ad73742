/** TRANSFER of symlinks (§10.1) and devices, FIFOs, sockets (§10.2): the inode only. */
import { readlink } from 'node:fs/promises';
import { FILE_SEGMENT_BYTES, Ftype, ftypeToBtype } from '../format/constants.js';
import { inlineBmap } from '../format/blockmap.js';
import { symlinkLength } from '../format/builders.js';
import type { ObjectRow } from '../state/job-db.js';
import { sourceErrorFrom } from '../source/file-reader.js';
import type { LoadContext } from './context.js';
import { buildVattr } from './inode-attrs.js';
import { inodeName, nlinkWritten, writeInode } from './write-inode.js';


export async function writeSymlink(ctx: LoadContext, row: ObjectRow): Promise<number> {
  let target: Buffer;
  try {
    target = await readlink(row.path, { encoding: 'buffer' });
  } catch (err) {
    throw sourceErrorFrom(row.path.toString(), err);
  }
  const vattr = buildVattr(row.stat, row.ftype, symlinkLength(target), nlinkWritten(row), ctx.config);
  return writeInode(ctx, inodeName(row, ftypeToBtype(Ftype.LNK)!), {
    kind: 'inode', vattr, bmap: inlineBmap(row.fh, FILE_SEGMENT_BYTES), back: [row.parentFh], name: row.name, data: target,
  });
}

export async function writeSpecial(ctx: LoadContext, row: ObjectRow): Promise<number> {
  const vattr = buildVattr(row.stat, row.ftype, row.stat.size, nlinkWritten(row), ctx.config);
  return writeInode(ctx, inodeName(row, ftypeToBtype(row.ftype)!), {
    kind: 'inode', vattr, bmap: inlineBmap(row.fh, FILE_SEGMENT_BYTES), back: [row.parentFh], name: row.name,
  });
}
