/**
 * Reads small regular files a window ahead of their writes. The transfer starts a file when a
 * write slot frees, one at a time; reading each file then as it starts sent one message (and two
 * thread wake-ups) to the source workers per file, which cost more main-thread time than the
 * rest of the file's work. Started a window at a time, the reads go out many per message.
 */
import { Ftype } from '../format/constants.js';
import { isSmallFile, startSmallRead, type SmallRead } from '../source/file-reader.js';
import type { ObjectRow } from '../state/job-db.js';

/**
 * Files read ahead of the write being started, refilled half a window at a time. At most
 * window × 16 KiB (2 MiB) of file data waits in memory, outside the blob memory budget.
 */
export const READ_AHEAD_FILES = 128;

export class SmallReadAhead {
  private readonly reads = new Map<number, SmallRead>();
  private page: readonly ObjectRow[] = [];
  /** rows of `page` before this index have been considered */
  private planned = 0;

  constructor(private readonly window = READ_AHEAD_FILES) {}

  /** Call before starting `page[index]`: tops the window up when it has run half empty. */
  before(page: readonly ObjectRow[], index: number): void {
    if (page !== this.page) {
      this.page = page;
      this.planned = 0;
    }
    if (this.planned - index > this.window / 2) return;
    const end = Math.min(page.length, index + this.window);
    for (let i = Math.max(this.planned, index); i < end; i++) {
      const row = page[i];
      if (row.ftype === Ftype.REG && isSmallFile(row.stat.size)) this.reads.set(row.id, startSmallRead(row.path));
    }
    this.planned = end;
  }

  /** The read started for `row`, if any; it is handed over once. */
  take(row: ObjectRow): SmallRead | undefined {
    const read = this.reads.get(row.id);
    if (read) this.reads.delete(row.id);
    return read;
  }

  /** Drops reads that will not be written (the transfer stopped early). */
  clear(): void {
    this.reads.clear();
    this.page = [];
    this.planned = 0;
  }

  /** Reads started and not yet taken. */
  get waiting(): number {
    return this.reads.size;
  }
}
