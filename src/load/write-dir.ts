/** TRANSFER of a directory: entries streamed from the DB into inline part + 256 KiB segments. */
import { Btype, DIR_SEGMENT_BYTES, INITIAL_VERSION } from '../format/constants.js';
import { BlockMapBuilder, type IndirectBlock } from '../format/blockmap.js';
import { DirectoryPacker, directoryLength, type DirPiece } from '../format/dirpack.js';
import { dirSegmentOffset, rootExtattrs } from '../format/objects.js';
import { isRootId } from '../format/ids.js';
import { v2Name } from '../format/names.js';
import type { Dirent } from '../format/handles.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';
import { blockUuid, indirectIdSource } from './block-ids.js';
import { buildVattr, databackCtime } from './inode-attrs.js';
import { putObject } from './put-object.js';
import { inodeName, writeInode } from './write-inode.js';

const PAGE = 2000;

/** Writes a directory; memory holds one piece (≤ 256 KiB of entries) at a time, whatever its size. */
export async function writeDir(ctx: LoadContext, row: ObjectRow): Promise<number> {
  const ctime = databackCtime(row.stat);
  const ids = indirectIdSource(ctx.config.containerId, row.fh);
  const builder = new BlockMapBuilder(row.fh, ids.next);
  const packer = new DirectoryPacker(row.fh, row.parentFh);
  const pieceBytes: number[] = [];
  let inline: Dirent[] = [];
  let bytes = 0;

  const writeIndirects = async (blocks: IndirectBlock[]) => {
    for (const b of blocks) {
      bytes += await putObject(ctx, v2Name({ id: b.id, btype: Btype.INDIRECT, owner: row.fh, version: INITIAL_VERSION }), {
        kind: 'indirect', pointers: b.pointers, databack: { ctime, offset: b.offset, owner: row.fh },
      });
    }
  };
  const onPiece = async (piece: DirPiece) => {
    pieceBytes.push(piece.bytes);
    if (piece.index === 0) {
      inline = piece.entries;
      return;
    }
    const id = blockUuid(ctx.config.containerId, row.fh, 'dir-segment', piece.index);
    bytes += await putObject(ctx, v2Name({ id, btype: Btype.SEGMENT, owner: row.fh, version: INITIAL_VERSION }), {
      kind: 'dir-segment', entries: piece.entries, databack: { ctime, offset: dirSegmentOffset(piece.index), owner: row.fh },
    });
    await writeIndirects(builder.add(id));
  };

  let after = 0;
  for (;;) {
    const page = ctx.db.dirEntries(row.id, after, PAGE);
    if (page.length === 0) break;
    for (const [, name, fh] of page) {
      const piece = packer.add(name, fh);
      if (piece) await onPiece(piece);
    }
    after = page[page.length - 1][0];
  }
  await onPiece(packer.finish());
  await writeIndirects(builder.finish());

  const vattr = buildVattr(row.stat, row.ftype, directoryLength(pieceBytes), 2 + row.subdirs, ctx.config);
  const root = isRootId(row.fh);
  bytes += await writeInode(ctx, inodeName(row, Btype.DIR), {
    kind: 'inode', vattr, bmap: builder.bmap(DIR_SEGMENT_BYTES), name: row.name, entries: inline,
    ...(root ? { extattrs: rootExtattrs(ctx.config.massUuid, ctx.config.wipeEpoch) } : {}),
  });
  return bytes;
}
