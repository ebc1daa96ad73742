/** The job database: one SQLite file in the state directory, the record of a load's progress. */
import { closeSync, readSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from '../errors.js';
import type { SourceStat } from '../source/stat.js';
import { MIGRATIONS, ObjState, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { JobLock } from './job-lock.js';
import { StateDir } from './state-dir.js';
import { assertOpenedSame, fileIdentity, openStateFile, prepareForSqlite } from './state-file.js';

export const DB_FILE = 'clfsload.db';
/** meta key of the current durability epoch */
const EPOCH_KEY = 'durability.epoch';
/** Ftype.DIR (§4.3); directories become ready only once scanned */
const DIR_FTYPE = 1;

/** One object row as the loader uses it. */
export interface ObjectRow {
  id: number;
  fh: Buffer;
  ftype: number;
  parentFh: Buffer;
  name: Buffer;
  path: Buffer;
  stat: SourceStat;
  state: number;
  subdirs: number;
  links: number;
  reconcile: number;
  plannedSegs: number;
  ready: number | null;
}

interface RawRow {
  id: number; fh: Buffer; ftype: number; parent_fh: Buffer; name: Buffer; path: Buffer;
  mode: number; uid: number; gid: number; size: number; ino: string; dev: string; nlink: number; rdev: string;
  atime_s: number; atime_ns: number; mtime_s: number; mtime_ns: number; ctime_s: number; ctime_ns: number;
  state: number; subdirs: number; links: number; reconcile: number; planned_segs: number; ready: number | null;
}

function fromRaw(r: RawRow): ObjectRow {
  return {
    id: r.id, fh: r.fh, ftype: r.ftype, parentFh: r.parent_fh, name: r.name, path: r.path,
    stat: {
      mode: r.mode, uid: r.uid, gid: r.gid, size: BigInt(r.size), ino: BigInt(r.ino), dev: BigInt(r.dev),
      nlink: r.nlink, rdev: BigInt(r.rdev),
      atimeSec: BigInt(r.atime_s), atimeNsec: BigInt(r.atime_ns),
      mtimeSec: BigInt(r.mtime_s), mtimeNsec: BigInt(r.mtime_ns),
      ctimeSec: BigInt(r.ctime_s), ctimeNsec: BigInt(r.ctime_ns),
    },
    state: r.state, subdirs: r.subdirs, links: r.links, reconcile: r.reconcile, plannedSegs: r.planned_segs, ready: r.ready,
  };
}

/** The columns of an ObjectRow, in the order fromArray reads them. */
const ROW_COLUMNS = [
  'id', 'fh', 'ftype', 'parent_fh', 'name', 'path', 'mode', 'uid', 'gid', 'size', 'ino', 'dev', 'nlink', 'rdev',
  'atime_s', 'atime_ns', 'mtime_s', 'mtime_ns', 'ctime_s', 'ctime_ns', 'state', 'subdirs', 'links', 'reconcile', 'planned_segs', 'ready',
] as const satisfies readonly (keyof RawRow)[];

type RowArray = [
  number, Buffer, number, Buffer, Buffer, Buffer, number, number, number, number, string, string, number, string,
  number, number, number, number, number, number, number, number, number, number, number, number | null,
];

/** fromRaw for a row selected as an array of ROW_COLUMNS. */
function fromArray(row: unknown[]): ObjectRow {
  const [id, fh, ftype, parentFh, name, path, mode, uid, gid, size, ino, dev, nlink, rdev,
    atimeS, atimeNs, mtimeS, mtimeNs, ctimeS, ctimeNs, state, subdirs, links, reconcile, plannedSegs, ready] = row as RowArray;
  return {
    id, fh, ftype, parentFh, name, path,
    stat: {
      mode, uid, gid, size: BigInt(size), ino: BigInt(ino), dev: BigInt(dev), nlink, rdev: BigInt(rdev),
      atimeSec: BigInt(atimeS), atimeNsec: BigInt(atimeNs), mtimeSec: BigInt(mtimeS), mtimeNsec: BigInt(mtimeNs),
      ctimeSec: BigInt(ctimeS), ctimeNsec: BigInt(ctimeNs),
    },
    state, subdirs, links, reconcile, plannedSegs, ready,
  };
}

/**
 * The bytes as a Buffer, which is what better-sqlite3 binds as a BLOB: a view, not a copy (the
 * scan inserts four byte strings per entry; SQLite copies them itself).
 */
function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** One directory entry as dirEntries pages them: [rowid, name, the child's filehandle]. */
export type DirEntryRow = [rid: number, name: Buffer, fh: Buffer];

/** Values for a new object row. */
export interface NewObject {
  fh: Uint8Array;
  ftype: number;
  parentFh: Uint8Array;
  name: Uint8Array;
  path: Uint8Array;
  stat: SourceStat;
  reconcile: number;
  plannedSegs: number;
}


/**
 * Prepared statements over the job database. All multi-row writes go through `transaction`
 * so callers batch them; nothing here commits per file.
 */
export class JobDb {
  readonly db: Database.Database;
  private readonly stmts;

  /** last `ready` number handed out; only this process writes the DB, so it is monotonic */
  private readySeq: number;
  /** the durability epoch rows marked done now belong to (load/checkpoints.ts) */
  private epochNow: number;

  private constructor(
    db: Database.Database,
    private readonly lock: JobLock,
    /** the state directory, open for the job's life: its files are reached through it */
    readonly dir: StateDir,
  ) {
    this.db = db;
    this.readySeq = db.prepare('SELECT coalesce(max(ready), 0) FROM objects').pluck().get() as number;
    this.epochNow = Number(db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(EPOCH_KEY) ?? '0');
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      getMeta: p('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: p('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      // positional parameters: binding an object by name costs twice as much per row
      insertObject: p(`INSERT INTO objects (fh, ftype, parent_fh, name, path, mode, uid, gid, size, ino, dev, nlink, rdev,
        atime_s, atime_ns, mtime_s, mtime_ns, ctime_s, ctime_ns, reconcile, planned_segs, ready)
        VALUES (${new Array(22).fill('?').join(', ')})`),
      insertEntry: p('INSERT INTO entries (dir_id, name, obj_id) VALUES (?, ?, ?)'),
      hasAnyEntry: p('SELECT 1 FROM entries WHERE dir_id = ? LIMIT 1').pluck(),
      hasEntry: p('SELECT 1 FROM entries WHERE dir_id = ? AND name = ?').pluck(),
      getObject: p('SELECT * FROM objects WHERE id = ?'),
      unscannedDirs: p('SELECT * FROM objects WHERE ftype = 1 AND scanned = 0 AND state = 0 AND id > ? ORDER BY id LIMIT ?'),
      markScanned: p('UPDATE objects SET scanned = 1, ready = ?, subdirs = (SELECT count(*) FROM entries e JOIN objects c ON c.id = e.obj_id WHERE e.dir_id = ? AND c.ftype = 1) WHERE id = ?'),
      // raw rows (arrays): the transfer reads every object once through here, and arrays are half the cost
      pending: p(`SELECT ${ROW_COLUMNS.join(', ')} FROM objects WHERE state = 0 AND ready > ? ORDER BY ready LIMIT ?`).raw(true),
      markDone: p('UPDATE objects SET state = 1, bytes = ?, done_epoch = ? WHERE id = ?'),
      undoDoneAfter: p('UPDATE objects SET state = 0, bytes = 0 WHERE state = 1 AND done_epoch > ?'),
      undoFinishing: p('UPDATE objects SET state = 0, bytes = 0, reconciled = 0 WHERE (id = 1 OR reconcile = 1) AND state != 2'),
      markFailed: p('UPDATE objects SET state = 2 WHERE id = ?'),
      addProblem: p('INSERT INTO problems (path, message) VALUES (?, ?)'),
      // raw rows (arrays): every entry of every directory is read once through here
      dirEntries: p('SELECT e.rowid, e.name, o.fh FROM entries e JOIN objects o ON o.id = e.obj_id WHERE e.dir_id = ? AND e.rowid > ? ORDER BY e.rowid LIMIT ?').raw(true),
      findHardlink: p('SELECT obj_id FROM hardlinks WHERE dev = ? AND ino = ?').pluck(),
      setHardlink: p('INSERT INTO hardlinks (dev, ino, obj_id) VALUES (?, ?, ?) ON CONFLICT(dev, ino) DO UPDATE SET obj_id = excluded.obj_id'),
      linksOf: p('SELECT links FROM objects WHERE id = ?').pluck(),
      addLink: p('UPDATE objects SET links = links + 1 WHERE id = ?'),
      backpointers: p('SELECT d.fh FROM entries e JOIN objects d ON d.id = e.dir_id WHERE e.obj_id = ? ORDER BY e.rowid').pluck(),
      toReconcile: p('SELECT * FROM objects WHERE reconcile = 1 AND reconciled = ? AND state = 1 AND id > ? ORDER BY id LIMIT ?'),
      setReconciled: p('UPDATE objects SET reconciled = ? WHERE id = ?'),
      setPlanned: p('UPDATE objects SET planned_segs = ? WHERE id = ?'),
      counts: p('SELECT state, count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM objects GROUP BY state'),
      problemCount: p('SELECT count(*) FROM problems').pluck(),
      problemPaths: p('SELECT path FROM problems ORDER BY id').pluck(),
      failedPaths: p('SELECT path FROM objects WHERE state = 2 ORDER BY id').pluck(),
      resetFailed: p('UPDATE objects SET state = 0 WHERE state = 2'),
    };
  }

  /**
   * Opens (creating if needed) the database in `stateDir`: a new dir is made 0700, files 0600; an
   * existing dir must be this user's, private, and hold only a job's files (state-dir.ts).
   */
  static open(stateDir: string): JobDb {
    const file = path.join(stateDir, DB_FILE);
    let db: Database.Database | undefined;
    let lock: JobLock | undefined;
    let dir: StateDir | undefined;
    try {
      dir = StateDir.open(stateDir);
      lock = JobLock.acquire(dir);
      const fresh = checkDatabaseFile(dir, file);
      // SQLite opens by path and follows links: the file (created 0600 if new) and its side files
      // are checked through the directory's descriptor first, and the opened file is checked after.
      // The side files get the main file's mode from SQLite itself. Nothing here opens them once
      // SQLite has: closing any descriptor of a file drops the process's POSIX locks on it.
      const checked = prepareForSqlite(dir, DB_FILE);
      for (const side of [`${DB_FILE}-wal`, `${DB_FILE}-shm`]) {
        try {
          closeSync(openStateFile(dir, side, 'read'));
          closeSync(openStateFile(dir, side, 'append')); // 0600, through the checked descriptor
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      db = new Database(path.join(dir.realPath(), DB_FILE));
      assertOpenedSame(checked, file);
      if (!fresh) checkIntegrity(db, file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A database without a single table is one whose first run was killed before its schema
      // committed: nothing of a job is in it, so it is set up like a new one.
      const empty = fresh || (db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() as number) === 0;
      if (empty) {
        // One transaction: a kill leaves no tables or all of them with the version, never a half.
        db.transaction(() => {
          db!.exec(SCHEMA_SQL);
          db!.prepare('INSERT INTO meta(key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
        })();
      } else {
        migrate(db, file);
      }
      return new JobDb(db, lock, dir);
    } catch (err) {
      db?.close();
      lock?.release();
      dir?.close();
      if (err instanceof StateError) throw err;
      if (isSqliteCorruption(err)) throw corruptDatabase(file, (err as Error).message);
      throw new StateError('CLFS_STATE_OPEN', `cannot open state directory ${stateDir}: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.lock.release();
    this.dir.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key) as string | undefined;
  }
  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  insertObject(o: NewObject): number {
    const s = o.stat;
    const r = this.stmts.insertObject.run(
      asBuffer(o.fh), o.ftype, asBuffer(o.parentFh), asBuffer(o.name), asBuffer(o.path),
      s.mode, s.uid, s.gid, Number(s.size), s.ino.toString(), s.dev.toString(), s.nlink, s.rdev.toString(),
      Number(s.atimeSec), Number(s.atimeNsec), Number(s.mtimeSec), Number(s.mtimeNsec), Number(s.ctimeSec), Number(s.ctimeNsec),
      o.reconcile, o.plannedSegs, o.ftype === DIR_FTYPE ? null : ++this.readySeq,
    );
    return Number(r.lastInsertRowid);
  }
  insertEntry(dirId: number, name: Uint8Array, objId: number): void {
    this.stmts.insertEntry.run(dirId, asBuffer(name), objId);
  }
  hasAnyEntry(dirId: number): boolean {
    return this.stmts.hasAnyEntry.get(dirId) !== undefined;
  }
  hasEntry(dirId: number, name: Uint8Array): boolean {
    return this.stmts.hasEntry.get(dirId, asBuffer(name)) !== undefined;
  }
  getObject(id: number): ObjectRow | undefined {
    const r = this.stmts.getObject.get(id) as RawRow | undefined;
    return r && fromRaw(r);
  }
  unscannedDirs(afterId: number, limit: number): ObjectRow[] {
    return (this.stmts.unscannedDirs.all(afterId, limit) as RawRow[]).map(fromRaw);
  }
  /** Records a directory's listing as complete, which makes it ready to be written. */
  markScanned(dirId: number): void {
    this.stmts.markScanned.run(++this.readySeq, dirId, dirId);
  }
  /** Pending objects that may be written, in `ready` order; pass the last row's `ready` back for more. */
  pending(afterReady: number, limit: number): ObjectRow[] {
    return (this.stmts.pending.all(afterReady, limit) as unknown[][]).map(fromArray);
  }
  markDone(id: number, bytes: number): void {
    this.stmts.markDone.run(bytes, this.epochNow, id);
  }
  /** The durability epoch rows marked done from now on belong to. */
  get epoch(): number {
    return this.epochNow;
  }
  /** Starts the next durability epoch (committed at once); returns the one that ended. */
  advanceEpoch(): number {
    const ended = this.epochNow;
    this.setMeta(EPOCH_KEY, String(ended + 1));
    this.epochNow = ended + 1;
    return ended;
  }
  /** Rows marked done after `epoch` become pending again; returns how many. */
  undoDoneAfter(epoch: number): number {
    return this.stmts.undoDoneAfter.run(epoch).changes;
  }
  /**
   * The root and every hard-linked object become pending and unreconciled (failed ones stay
   * failed): TRANSFER, RECONCILE and FINALIZE redo them. Returns how many rows changed.
   */
  undoFinishing(): number {
    return this.stmts.undoFinishing.run().changes;
  }
  markFailed(id: number): void {
    this.stmts.markFailed.run(id);
  }
  addProblem(p: Uint8Array, message: string): void {
    this.stmts.addProblem.run(asBuffer(p), message);
  }
  /**
   * One page of a directory's entries in readdir order; pass the last `rid` back for the next.
   * Paged rather than iterated because an open iterator would block every other statement.
   */
  dirEntries(dirId: number, afterRid: number, limit: number): DirEntryRow[] {
    return this.stmts.dirEntries.all(dirId, afterRid, limit) as DirEntryRow[];
  }
  findHardlink(dev: bigint, ino: bigint): number | undefined {
    return this.stmts.findHardlink.get(dev.toString(), ino.toString()) as number | undefined;
  }
  setHardlink(dev: bigint, ino: bigint, objId: number): void {
    this.stmts.setHardlink.run(dev.toString(), ino.toString(), objId);
  }
  linksOf(objId: number): number {
    return this.stmts.linksOf.get(objId) as number;
  }
  addLink(objId: number): void {
    this.stmts.addLink.run(objId);
  }
  backpointers(objId: number): Buffer[] {
    return this.stmts.backpointers.all(objId) as Buffer[];
  }
  /** Objects written under the 0x62 owner; `stage` 0 = not yet reconciled, 1 = not yet cleaned. */
  toReconcile(stage: number, afterId: number, limit: number): ObjectRow[] {
    return (this.stmts.toReconcile.all(stage, afterId, limit) as RawRow[]).map(fromRaw);
  }
  setReconciled(id: number, stage: number): void {
    this.stmts.setReconciled.run(stage, id);
  }
  setPlannedSegments(id: number, n: number): void {
    this.stmts.setPlanned.run(n, id);
  }
  /** Object counts and uploaded bytes by state. */
  counts(): { pending: number; done: number; failed: number; bytes: number; total: number } {
    const out = { pending: 0, done: 0, failed: 0, bytes: 0, total: 0 };
    for (const r of this.stmts.counts.all() as { state: number; n: number; bytes: number }[]) {
      if (r.state === ObjState.PENDING) out.pending = r.n;
      if (r.state === ObjState.DONE) out.done = r.n;
      if (r.state === ObjState.FAILED) out.failed = r.n;
      out.bytes += r.bytes;
      out.total += r.n;
    }
    return out;
  }
  problemCount(): number {
    return this.stmts.problemCount.get() as number;
  }
  /** Source paths that failed: entries that could not be scanned, then objects that failed. */
  failedPaths(): Buffer[] {
    return [...(this.stmts.problemPaths.all() as Buffer[]), ...(this.stmts.failedPaths.all() as Buffer[])];
  }
  /** On resume, failed objects are tried again (scan problems stay: those entries are not rescanned). */
  resetFailures(): void {
    this.stmts.resetFailed.run();
  }
}

/** Brings an older job's database to SCHEMA_VERSION, one step per transaction; refuses a newer one. */
function migrate(db: Database.Database, file: string): void {
  for (;;) {
    const raw = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get();
    const v = Number(raw);
    if (v === SCHEMA_VERSION) return;
    const step = MIGRATIONS[v];
    if (!Number.isInteger(v) || v > SCHEMA_VERSION || step === undefined) {
      throw new StateError('CLFS_STATE_SCHEMA', `state database ${file} has schema version ${String(raw)}, expected ${SCHEMA_VERSION}${v > SCHEMA_VERSION ? ' (it was written by a newer clfsload)' : ''}`);
    }
    db.transaction(() => {
      db.exec(step);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(v + 1));
    })();
  }
}

/** Files a job leaves in its state dir besides the database (the job log, problems.txt). */
const JOB_FILE = /^(output.*\.txt|problems\.txt)$/;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function corruptDatabase(file: string, reason: string): StateError {
  return new StateError('CLFS_STATE_CORRUPT', `state database ${file} is damaged (${reason.replace(/\s+/g, ' ')}); it was left as it is. ` +
    'Restore it from a backup to resume, or start over with a new --state-path and an empty destination');
}

/**
 * Decides whether the state dir starts a new job (no database, nothing else of a job there) and
 * refuses a database that is missing or empty beside a job's files, or lacks the SQLite header,
 * before SQLite touches it: a damaged database is reported, never silently recreated.
 */
function checkDatabaseFile(dir: StateDir, file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openStateFile(dir, DB_FILE, 'read');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let size = -1;
  if (fd !== undefined) {
    try {
      size = Number(fileIdentity(fd).size);
      if (size > 0) {
        const head = Buffer.alloc(SQLITE_HEADER.length);
        readSync(fd, head, 0, head.length, 0);
        if (!head.equals(SQLITE_HEADER)) throw corruptDatabase(file, 'not an SQLite database');
        return false;
      }
    } finally {
      closeSync(fd);
    }
  }
  const jobFiles = dir.names().filter((n) => JOB_FILE.test(n));
  if (jobFiles.length > 0) throw corruptDatabase(file, size === 0 ? 'the file is empty' : `the file is missing beside ${jobFiles.slice(0, 3).join(', ')}`);
  return true;
}

/** A resumed job's database must pass SQLite's quick_check before anything reads or writes it. */
function checkIntegrity(db: Database.Database, file: string): void {
  const rows = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  if (problems.length > 0) throw corruptDatabase(file, problems.slice(0, 2).join('; '));
}

function isSqliteCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
}
