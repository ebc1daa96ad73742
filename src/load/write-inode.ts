/** Inode names (§4.4, §11.2) and the inode write itself. */
import type { ClfsObject } from '../format/objects.js';
import { INPROGRESS_ID, isRootId } from '../format/ids.js';
import { TMP_ROOT_NAME, v2Name } from '../format/names.js';
import { Ftype, INITIAL_VERSION, ftypeToBtype } from '../format/constants.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';
import { putObject } from './put-object.js';
import { deleteStaleBlocks } from './stale-blocks.js';

/** The name an inode gets in TRANSFER: `tmp` root; owner 0x62 if it will be reconciled; else the first parent. */
export function inodeName(row: Pick<ObjectRow, 'fh' | 'parentFh' | 'reconcile'>, btype: number): string {
  if (isRootId(row.fh)) return TMP_ROOT_NAME;
  const owner = row.reconcile ? INPROGRESS_ID : row.parentFh;
  return v2Name({ id: row.fh, btype, owner, version: INITIAL_VERSION });
}

/** VATTR nlink of a non-directory in TRANSFER: 1, also for objects reconcile will fix (§14.3 item 10). */
export function nlinkWritten(_row: ObjectRow): number {
  return 1;
}

export async function writeInode(ctx: LoadContext, name: string, obj: ClfsObject): Promise<number> {
  ctx.hook('before-inode');
  const n = await putObject(ctx, name, obj);
  ctx.hook('after-inode');
  return n;
}

/**
 * Removes what a failed entry's attempts may have left: its inode (whole, or in part when a crash
 * cut its put short) and, for a file, the segments and indirect blocks it planned. The entry is
 * not in its directory, so they would be orphans. Every failed entry comes here once, whether it
 * failed before its file was open (it vanished after a crash) or while its segments were written.
 */
export async function deleteLeftovers(ctx: LoadContext, row: ObjectRow): Promise<void> {
  const btype = ftypeToBtype(row.ftype);
  if (btype !== undefined) await ctx.store.delete(inodeName(row, btype), ctx.signal);
  if (row.ftype === Ftype.REG) {
    // as recorded now: the failed attempt may have raised it (writeFile) after `row` was read
    const plannedSegs = ctx.db.getObject(row.id)?.plannedSegs ?? row.plannedSegs;
    await deleteStaleBlocks(ctx, { ...row, plannedSegs }, 0, 0);
  }
}
