/** The job database schema. Bump SCHEMA_VERSION on any change and add its MIGRATIONS step; newer state dirs are refused. */

export const SCHEMA_VERSION = 2;

/** Object states. */
export const ObjState = { PENDING: 0, DONE: 1, FAILED: 2 } as const;

/**
 * objects: one row per CLFS object (root = id 1). Big kernel numbers (ino, dev, rdev) are
 * decimal TEXT because SQLite integers are signed 64-bit.
 * ready: a job-wide increasing number given when the object may be written (at insert for
 * non-directories, when scanned for directories); TRANSFER pages through it while the scan runs.
 * done_epoch: the durability epoch (load/checkpoints.ts) in which the row was marked done; after
 * a power loss, rows done after the last checkpoint are written again.
 * entries: directory entries in readdir order (rowid order), one per link; a directory's
 * listing is streamed from here when its inode is packed, so memory never grows with it.
 */
export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE objects (
  id INTEGER PRIMARY KEY,
  fh BLOB NOT NULL,
  ftype INTEGER NOT NULL,
  parent_fh BLOB NOT NULL,
  name BLOB NOT NULL,
  path BLOB NOT NULL,
  mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,
  size INTEGER NOT NULL, ino TEXT NOT NULL, dev TEXT NOT NULL, nlink INTEGER NOT NULL, rdev TEXT NOT NULL,
  atime_s INTEGER NOT NULL, atime_ns INTEGER NOT NULL,
  mtime_s INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
  ctime_s INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  scanned INTEGER NOT NULL DEFAULT 0,
  subdirs INTEGER NOT NULL DEFAULT 0,
  links INTEGER NOT NULL DEFAULT 1,
  reconcile INTEGER NOT NULL DEFAULT 0,
  reconciled INTEGER NOT NULL DEFAULT 0,
  planned_segs INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  ready INTEGER,
  done_epoch INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX objects_unscanned ON objects(id) WHERE ftype = 1 AND scanned = 0;
CREATE INDEX objects_ready ON objects(ready) WHERE state = 0;
CREATE INDEX objects_reconcile ON objects(id) WHERE reconcile = 1;
CREATE TABLE entries (dir_id INTEGER NOT NULL, name BLOB NOT NULL, obj_id INTEGER NOT NULL);
CREATE INDEX entries_dir ON entries(dir_id);
CREATE INDEX entries_name ON entries(dir_id, name);
CREATE INDEX entries_obj ON entries(obj_id) ;
CREATE TABLE hardlinks (dev TEXT NOT NULL, ino TEXT NOT NULL, obj_id INTEGER NOT NULL, PRIMARY KEY (dev, ino));
CREATE TABLE problems (id INTEGER PRIMARY KEY, path BLOB NOT NULL, message TEXT NOT NULL);
`;

/**
 * Upgrades from older schema versions, by the version they start from. Version 1 had no
 * done_epoch: its jobs synced before every commit, so each of their done rows is durable. They
 * get epoch 0, recorded as synced (load/checkpoints.ts), and new marks start at epoch 1.
 */
export const MIGRATIONS: Record<number, string> = {
  1: `ALTER TABLE objects ADD COLUMN done_epoch INTEGER NOT NULL DEFAULT 0;
      INSERT OR REPLACE INTO meta(key, value) VALUES ('durability.epoch', '1'), ('durability.synced', '0');`,
};
