/** --dry-run: scan the source into a throw-away database and report what a load would write. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ftype } from '../format/constants.js';
import { ROOT_ID } from '../format/ids.js';
import { UsageError } from '../errors.js';
import { cryptoRandomSource } from '../util/random.js';
import { lstatSource } from '../source/stat.js';
import { JobDb } from '../state/job-db.js';
import { BatchWriter } from '../state/batch-writer.js';
import { Stats } from '../progress/stats.js';
import type { BlobStore } from '../store/blob-store.js';
import { JobLog } from './job-log.js';
import { SegmentBuffers } from './segment-buffers.js';
import { Budget } from '../util/budget.js';
import { scanTree } from './scan.js';
import { rootNameOf } from './run-load.js';

export interface DryRunReport {
  entries: number;
  directories: number;
  files: number;
  symlinks: number;
  specials: number;
  failed: number;
  /** source file bytes that would be read */
  fileBytes: number;
  /** blobs a load would write at least (inodes, file segments, bucket, root copy) */
  blobsAtLeast: number;
}

/** Scans `source` and counts; touches neither the destination nor any state directory. */
export async function dryRun(source: string, preserveHardlinks: boolean, store: BlobStore): Promise<DryRunReport> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfsload-dry-'));
  const db = JobDb.open(tmp);
  const log = new JobLog(tmp, 'ERROR');
  try {
    let st;
    try {
      st = await lstatSource(Buffer.from(source));
    } catch {
      throw new UsageError(`source ${source} cannot be read`, { code: 'CLFS_SOURCE_MISSING' });
    }
    if ((st.mode & 0o170000) !== 0o040000) throw new UsageError(`source ${source} is not a directory`, { code: 'CLFS_SOURCE_NOT_DIR' });
    const config = { sourceHex: '', destination: '', compression: 'DISABLED' as const, preserveHardlinks, containerId: 1, fsid: 1, rootNameHex: '', bucketUuid: '', massUuid: '', wipeEpoch: '' };
    db.insertObject({ fh: ROOT_ID, ftype: Ftype.DIR, parentFh: ROOT_ID, name: rootNameOf(source), path: Buffer.from(path.resolve(source)), stat: st, reconcile: 0, plannedSegs: 0 });
    const stats = new Stats();
    stats.total = 1;
    const ctx = {
      db, batch: new BatchWriter(db), store, config, compression: 0, stats, log, signal: new AbortController().signal,
      memory: new Budget(1), segmentBuffers: new SegmentBuffers(0), slots: new Budget(1), hook: () => undefined,
    };
    await scanTree(ctx, cryptoRandomSource(), 8);
    const rows = db.db.prepare('SELECT ftype, count(*) AS n, coalesce(sum(size), 0) AS bytes, coalesce(sum(planned_segs), 0) AS segs FROM objects GROUP BY ftype').all() as { ftype: number; n: number; bytes: number; segs: number }[];
    const r: DryRunReport = { entries: stats.total, directories: 0, files: 0, symlinks: 0, specials: 0, failed: stats.failed, fileBytes: 0, blobsAtLeast: 2 };
    for (const x of rows) {
      r.blobsAtLeast += x.n + x.segs;
      if (x.ftype === Ftype.DIR) r.directories += x.n;
      else if (x.ftype === Ftype.REG) { r.files += x.n; r.fileBytes += x.bytes; }
      else if (x.ftype === Ftype.LNK) r.symlinks += x.n;
      else r.specials += x.n;
    }
    return r;
  } finally {
    log.close();
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
