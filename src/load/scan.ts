/**
 * Scanning: every directory is listed (raw byte names, readdir order) and each entry lstat'ed;
 * new objects get filehandles and are recorded with their entries in batched transactions.
 * Directories are scanned in parallel; the DB is the work queue, so memory stays flat.
 */
import { Ftype, DIRMGR_COUNT, LINK_MAX } from '../format/constants.js';
import { generateFilehandle, type RandomSource } from '../format/ids.js';
import { segmentCount } from '../format/blockmap.js';
import { SourceError } from '../errors.js';
import { readDirNames, joinPath } from '../source/read-dir.js';
import { ftypeOfMode, type SourceStat } from '../source/stat.js';
import { lstatManyInWorker } from '../source/source-jobs.js';
import { isSourceFailure, sourceErrorFrom } from '../source/file-reader.js';
import type { ObjectRow } from '../state/job-db.js';
import { SeqAllocator } from '../state/job-meta.js';
import type { LoadContext } from './context.js';

const LSTAT_BATCH = 128;

/** The round-robin directory-manager counter (§2.3): incremented before use, modulo 48. */
class DmidCounter {
  private n = 0;
  next(): number {
    this.n = (this.n + 1) % DIRMGR_COUNT;
    return this.n;
  }
}

interface Scanned {
  name: Buffer;
  path: Buffer;
  stat?: SourceStat;
  error?: SourceError;
}

/** Scans every unscanned directory until none is left. */
export async function scanTree(ctx: LoadContext, random: RandomSource, concurrency: number, halt: { stop: boolean } = { stop: false }): Promise<void> {
  const seq = new SeqAllocator(ctx.db);
  const dmid = new DmidCounter();
  const inflight = new Set<Promise<void>>();
  let fatal: unknown;
  let last = 0;
  for (;;) {
    if (fatal !== undefined || halt.stop || ctx.signal.aborted) break;
    const room = concurrency - inflight.size;
    const rows = room > 0 ? ctx.db.unscannedDirs(last, room) : [];
    if (rows.length === 0) {
      if (inflight.size === 0) {
        // Directories created while we looked may have lower ids than `last` only on resume; recheck from 0.
        if (last !== 0 && ctx.db.unscannedDirs(0, 1).length > 0) { last = 0; continue; }
        break;
      }
      await Promise.race(inflight);
      continue;
    }
    for (const row of rows) {
      last = row.id;
      const p: Promise<void> = scanDir(ctx, row, seq, dmid, random)
        .catch((err) => { fatal ??= err; })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
  }
  await Promise.all(inflight);
  if (fatal !== undefined) throw fatal;
}

async function scanDir(ctx: LoadContext, dir: ObjectRow, seq: SeqAllocator, dmid: DmidCounter, random: RandomSource): Promise<void> {
  const merge = ctx.db.hasAnyEntry(dir.id);
  let batch: Buffer[] = [];
  try {
    for await (const name of readDirNames(dir.path)) {
      if (ctx.signal.aborted) return;
      batch.push(name);
      if (batch.length >= LSTAT_BATCH) {
        await recordBatch(ctx, dir, batch, merge, seq, dmid, random);
        ctx.wakeup?.wake();
        batch = [];
      }
    }
  } catch (err) {
    if (!isSourceFailure(err)) throw err; // e.g. the state database failing: the job stops, the directory is not to blame
    const e = sourceErrorFrom(dir.path.toString(), err);
    if (dir.id === 1) throw e;
    ctx.db.markFailed(dir.id); // at once, not batched: the scan loop must not pick it up again
    ctx.stats.failed++;
    ctx.log.error(`cannot read directory ${e.message}`);
    return;
  }
  await recordBatch(ctx, dir, batch, merge, seq, dmid, random);
  ctx.hook('before-mark-scanned');
  ctx.db.transaction(() => ctx.db.markScanned(dir.id));
  ctx.wakeup?.wake();
}

async function recordBatch(
  ctx: LoadContext, dir: ObjectRow, names: Buffer[], merge: boolean, seq: SeqAllocator, dmid: DmidCounter, random: RandomSource,
): Promise<void> {
  if (names.length === 0) return;
  const paths = names.map((name) => joinPath(dir.path, name));
  const stats = await lstatManyInWorker(paths);
  const items: Scanned[] = names.map((name, i) => {
    const st = stats[i];
    return st instanceof Error ? { name, path: paths[i], error: sourceErrorFrom(paths[i].toString(), st) } : { name, path: paths[i], stat: st };
  });
  const { db, config } = ctx;
  db.transaction(() => {
    for (const it of items) {
      if (merge && db.hasEntry(dir.id, it.name)) continue;
      const ftype = it.stat && ftypeOfMode(it.stat.mode);
      if (!it.stat || ftype === undefined) {
        const msg = it.error?.message ?? `${it.path.toString()}: unsupported file type`;
        db.addProblem(it.path, msg);
        ctx.stats.total++;
        ctx.stats.failed++;
        ctx.log.error(`cannot stat ${msg}`);
        continue;
      }
      const st = it.stat;
      if (ctx.excluded?.has(`${st.dev}:${st.ino}`)) {
        ctx.log.warn(`skipping ${it.path.toString()}: it is this job's state directory or destination`);
        continue;
      }
      const linkable = config.preserveHardlinks && ftype !== Ftype.DIR && st.nlink > 1;
      if (linkable) {
        const existing = db.findHardlink(st.dev, st.ino);
        if (existing !== undefined && db.linksOf(existing) < LINK_MAX) {
          db.insertEntry(dir.id, it.name, existing);
          db.addLink(existing);
          continue;
        }
      }
      const dmidSrc = dir.fh[5] ?? 0;
      const fh = generateFilehandle(
        { containerId: config.containerId, dmidSrc, dmidTgt: ftype === Ftype.DIR ? dmid.next() : dmidSrc, ftype, seq: seq.take() },
        random,
      );
      const id = db.insertObject({
        fh, ftype, parentFh: dir.fh, name: it.name, path: it.path, stat: st, reconcile: linkable ? 1 : 0,
        plannedSegs: ftype === Ftype.REG ? segmentCount(st.size) : 0,
      });
      if (linkable) db.setHardlink(st.dev, st.ino, id);
      db.insertEntry(dir.id, it.name, id);
      ctx.stats.total++;
    }
  });
}
