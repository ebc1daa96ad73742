/** TRANSFER: writes every pending object, many at once, bounded by slots and a memory budget. */
import { Ftype } from '../format/constants.js';
import { AbortedError, FormatError, SourceError } from '../errors.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';
import { writeDir } from './write-dir.js';
import { writeFile } from './write-file.js';
import { writeSpecial, writeSymlink } from './write-special.js';

const PAGE = 512;

/** Thrown when --max-errors is reached. */
export class TooManyErrors extends Error {}

function writeObject(ctx: LoadContext, row: ObjectRow): Promise<number> {
  switch (row.ftype) {
    case Ftype.REG: return writeFile(ctx, row);
    case Ftype.DIR: return writeDir(ctx, row);
    case Ftype.LNK: return writeSymlink(ctx, row);
    default: return writeSpecial(ctx, row);
  }
}

/** A failure that belongs to one source entry (the job goes on); anything else stops the job. */
function isEntryFailure(err: unknown): boolean {
  return err instanceof SourceError || (err instanceof FormatError && err.code === 'CLFS_LIMIT');
}

/**
 * Writes all pending objects. Per-entry failures are logged, recorded and counted; the job
 * stops when `maxErrors` (0 = unlimited) is reached or on any store error.
 */
export async function transferAll(ctx: LoadContext, maxErrors: number): Promise<void> {
  const inflight = new Set<Promise<void>>();
  let fatal: unknown;
  let last = 0;
  const tooMany = () => maxErrors > 0 && ctx.stats.failed >= maxErrors;
  outer: for (;;) {
    const page = ctx.db.pending(last, PAGE);
    if (page.length === 0) break;
    for (const row of page) {
      last = row.id;
      const held = await ctx.slots.acquire(1);
      if (fatal !== undefined || ctx.signal.aborted || tooMany()) {
        ctx.slots.release(held);
        break outer;
      }
      const p: Promise<void> = (async () => {
        try {
          const bytes = await writeObject(ctx, row);
          ctx.batch.add(() => ctx.db.markDone(row.id, bytes));
          ctx.stats.done++;
        } catch (err) {
          if (isEntryFailure(err)) {
            ctx.batch.add(() => ctx.db.markFailed(row.id));
            ctx.stats.failed++;
            ctx.log.error(`failed: ${(err as Error).message}`);
          } else {
            fatal ??= err;
          }
        } finally {
          ctx.slots.release(held);
        }
      })().finally(() => inflight.delete(p));
      inflight.add(p);
    }
  }
  await Promise.all(inflight);
  ctx.batch.flush();
  if (fatal !== undefined) throw fatal;
  if (ctx.signal.aborted) throw new AbortedError('load interrupted');
  if (tooMany()) throw new TooManyErrors(`stopped after ${ctx.stats.failed} failed transfers (--max-errors ${maxErrors})`);
}
