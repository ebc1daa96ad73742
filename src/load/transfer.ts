/** TRANSFER: writes every pending object, many at once, bounded by slots and a memory budget. */
import { FIRST_SEGMENT_BYTES, Ftype } from '../format/constants.js';
import { AbortedError, FormatError, SourceError } from '../errors.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';
import { writeDir } from './write-dir.js';
import { writeFile } from './write-file.js';
import { SmallReadAhead } from './small-read-ahead.js';
import { writeSpecial, writeSymlink } from './write-special.js';
import { deleteLeftovers } from './write-inode.js';

const PAGE = 512;

/** Thrown when --max-errors is reached. */
export class TooManyErrors extends Error {}

function writeObject(ctx: LoadContext, row: ObjectRow, readAhead: SmallReadAhead): Promise<number> {
  switch (row.ftype) {
    case Ftype.REG: return writeFile(ctx, row, readAhead.take(row));
    case Ftype.DIR: return writeDir(ctx, row);
    case Ftype.LNK: return writeSymlink(ctx, row);
    default: return writeSpecial(ctx, row);
  }
}

/**
 * Write slots are counted in halves: `--concurrency N` lets N objects be written at once, and
 * twice as many when they are small (a file whose data all fits in its inode, a symlink, a
 * special file). A small object's write is a few syscalls or one small PUT, so its cost is
 * latency, not memory: more of them in flight keep the workers and the destination busy, while
 * bigger files stay at N (their data is also bounded by the memory budget).
 */
export const SLOT_UNITS = 2;
const INLINE_MAX = BigInt(FIRST_SEGMENT_BYTES);

function slotUnits(row: ObjectRow): number {
  if (row.ftype === Ftype.DIR) return SLOT_UNITS;
  if (row.ftype === Ftype.REG && row.stat.size > INLINE_MAX) return SLOT_UNITS;
  return 1;
}

/** A failure that belongs to one source entry (the job goes on); anything else stops the job. */
function isEntryFailure(err: unknown): boolean {
  return err instanceof SourceError || (err instanceof FormatError && err.code === 'CLFS_LIMIT');
}

/** Shared between the scan and the transfer running side by side. */
export interface ScanProgress {
  done: boolean;
  /** set when the scan failed: the transfer stops too */
  error?: unknown;
}

const IDLE_WAIT_MS = 20;

/**
 * Writes all pending objects as they become ready (non-directories when scanned, directories
 * once their listing is complete), while `scan` is still running. Per-entry failures are logged,
 * recorded and counted; the job stops when `maxErrors` (0 = unlimited) is reached or on any
 * store error (`halt` then tells the scan to stop as well).
 */
export async function transferAll(ctx: LoadContext, maxErrors: number, scan: ScanProgress = { done: true }, halt: { stop: boolean } = { stop: false }): Promise<void> {
  const inflight = new Set<Promise<void>>();
  const readAhead = new SmallReadAhead();
  let fatal: unknown;
  let last = 0;
  const tooMany = () => maxErrors > 0 && ctx.stats.failed >= maxErrors;
  outer: for (;;) {
    const scanFinished = scan.done;
    const page = ctx.db.pending(last, PAGE);
    if (page.length === 0) {
      if (scanFinished || scan.error !== undefined || fatal !== undefined || ctx.signal.aborted || tooMany()) break;
      await (ctx.wakeup ? ctx.wakeup.wait(IDLE_WAIT_MS) : new Promise((r) => setTimeout(r, IDLE_WAIT_MS)));
      continue;
    }
    for (let i = 0; i < page.length; i++) {
      const row = page[i];
      last = row.ready ?? last;
      readAhead.before(page, i);
      const held = await ctx.slots.acquire(slotUnits(row));
      if (ctx.batch.failure !== undefined) fatal ??= ctx.batch.failure;
      if (fatal !== undefined || ctx.signal.aborted || tooMany() || scan.error !== undefined) {
        halt.stop = true;
        ctx.slots.release(held);
        break outer;
      }
      const p: Promise<void> = (async () => {
        try {
          const bytes = await writeObject(ctx, row, readAhead);
          ctx.batch.add(() => ctx.db.markDone(row.id, bytes));
          ctx.stats.done++;
          if (ctx.log.enabled('DEBUG')) ctx.log.debug(`written: ${row.path.toString()}`);
        } catch (err) {
          if (isEntryFailure(err)) {
            ctx.stats.failed++;
            // SourceErrors already start with the path; a codec limit (e.g. a time past 2106) does not
            const message = err instanceof SourceError ? err.message : `${row.path.toString()}: ${(err as Error).message}`;
            ctx.log.error(`failed: ${message}`);
            try {
              await deleteLeftovers(ctx, row);
              ctx.batch.add(() => ctx.db.markFailed(row.id));
            } catch (storeErr) {
              fatal ??= storeErr; // a store error stops the job, as in a write
              halt.stop = true;
            }
          } else {
            fatal ??= err;
            halt.stop = true;
          }
        } finally {
          ctx.slots.release(held);
        }
      })().finally(() => inflight.delete(p));
      inflight.add(p);
    }
  }
  halt.stop = true;
  readAhead.clear();
  await Promise.all(inflight);
  await ctx.batch.flush();
  if (fatal !== undefined) throw fatal;
  if (ctx.signal.aborted) throw new AbortedError('load interrupted');
  if (tooMany()) throw new TooManyErrors(`stopped after ${ctx.stats.failed} failed transfers (--max-errors ${maxErrors})`);
}
