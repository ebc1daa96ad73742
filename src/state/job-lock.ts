/**
 * One run per state dir. The lock is SQLite's own exclusive (POSIX fcntl) lock on a small side
 * database, `clfsload.lock`, held for the life of the process: the OS drops it when the process
 * dies, even by SIGKILL, so a crashed run never blocks the next one. Node has no fcntl API, and
 * better-sqlite3 already speaks it, hence this instead of a hand-made pid file.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from '../errors.js';
import type { StateDir } from './state-dir.js';
import { assertOpenedSame, prepareForSqlite } from './state-file.js';

export const LOCK_FILE = 'clfsload.lock';

export class JobLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the state dir's lock at once, or throws CLFS_STATE_BUSY naming the dir. */
  static acquire(dir: StateDir): JobLock {
    const stateDir = dir.path;
    const checked = prepareForSqlite(dir, LOCK_FILE);
    const file = path.join(dir.realPath(), LOCK_FILE);
    const db = new Database(file, { timeout: 0 });
    try {
      assertOpenedSame(checked, path.join(stateDir, LOCK_FILE));
      db.pragma('locking_mode = EXCLUSIVE');
      // Only the lock matters, not these bytes: no fsyncs (three commits with them took ~30 ms).
      db.pragma('synchronous = OFF');
      db.pragma('journal_mode = MEMORY');
      // the first write under EXCLUSIVE locking mode takes the lock and keeps it until close
      db.exec('BEGIN; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
      db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
      db.exec('COMMIT');
    } catch (err) {
      db.close();
      if (err instanceof StateError) throw err;
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
        throw new StateError('CLFS_STATE_BUSY', `state directory ${stateDir} is in use by another clfsload process; wait for it to finish (or stop it), then run the command again`);
      }
      throw new StateError('CLFS_STATE_OPEN', `cannot lock state directory ${stateDir}: ${(err as Error).message}`, { cause: err });
    }
    return new JobLock(db);
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
