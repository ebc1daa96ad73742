import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE, JobDb } from '../../src/state/job-db.js';
import { SeqAllocator } from '../../src/state/job-meta.js';
import { BatchWriter } from '../../src/state/batch-writer.js';
import { StateError } from '../../src/errors.js';
import type { SourceStat } from '../../src/source/stat.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-jobdb-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const stat: SourceStat = {
  mode: 0o100644, uid: 1, gid: 2, size: 5n, ino: 2n ** 63n + 5n, dev: 2049n, nlink: 1, rdev: 0n,
  atimeSec: 1n, atimeNsec: 2n, mtimeSec: 3n, mtimeNsec: 4n, ctimeSec: 5n, ctimeNsec: 6n,
};

test('state dir is 0700 and the database 0600', () => {
  const dir = path.join(tmp, 'perm');
  JobDb.open(dir).close();
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(path.join(dir, DB_FILE)).mode & 0o777, 0o600);
});

test('sequence numbers start at 1001 and continue after the reserved block on reopen (§2.4)', () => {
  const dir = path.join(tmp, 'seq');
  let db = JobDb.open(dir);
  const a = new SeqAllocator(db);
  assert.equal(a.take(), 1001n);
  assert.equal(a.take(), 1002n);
  db.close();
  db = JobDb.open(dir);
  assert.equal(new SeqAllocator(db).take(), 11001n);
  db.close();
});

test('objects keep 64-bit inode numbers exactly; directory entries page in insertion order', () => {
  const db = JobDb.open(path.join(tmp, 'objects'));
  const id = db.insertObject({ fh: new Uint8Array(24).fill(1), ftype: 2, parentFh: new Uint8Array(16), name: Buffer.from('f'), path: Buffer.from('/f'), stat, reconcile: 0, plannedSegs: 0 });
  assert.equal(db.getObject(id)!.stat.ino, 2n ** 63n + 5n);
  const names = Array.from({ length: 25 }, (_, i) => `n${(25 - i).toString().padStart(2, '0')}`);
  db.transaction(() => names.forEach((n) => db.insertEntry(7, Buffer.from(n), id)));
  const seen: string[] = [];
  let after = 0;
  for (;;) {
    const page = db.dirEntries(7, after, 10);
    if (page.length === 0) break;
    for (const [, name, fh] of page) {
      seen.push(name.toString());
      assert.deepEqual(fh, Buffer.alloc(24, 1), 'each entry carries its child\'s filehandle');
    }
    after = page[page.length - 1][0];
  }
  assert.deepEqual(seen, names);
  db.close();
});

test('pending pages give the same rows as getObject, every field, in ready order', () => {
  const db = JobDb.open(path.join(tmp, 'pending'));
  const other: SourceStat = { ...stat, mode: 0o100600, uid: 4_000_000_000, size: 2n ** 40n, rdev: 2n ** 50n + 3n, nlink: 7, ctimeNsec: 999_999_999n };
  const ids = [stat, other, stat].map((st, i) => db.insertObject({
    fh: new Uint8Array(24).fill(i + 1), ftype: 2, parentFh: new Uint8Array(16).fill(9), name: Buffer.from(`f${i}`),
    path: Buffer.from(`/p/f${i}`), stat: st, reconcile: i % 2, plannedSegs: i,
  }));
  const page = db.pending(0, 10);
  assert.deepEqual(page.map((r) => r.id), ids);
  for (const row of page) assert.deepEqual(row, db.getObject(row.id));
  assert.deepEqual(db.pending(page[1].ready!, 10).map((r) => r.id), [ids[2]]);
  db.close();
});

test('a database of a newer schema version is refused, naming the cause', () => {
  const dir = path.join(tmp, 'schema');
  JobDb.open(dir).close();
  const raw = new Database(path.join(dir, DB_FILE));
  raw.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
  raw.close();
  assert.throws(() => JobDb.open(dir), (e: unknown) => e instanceof StateError && e.code === 'CLFS_STATE_SCHEMA' && /newer clfsload/.test(e.message));
});

test('a database killed before its schema committed (an SQLite file with no table) is set up as new', () => {
  const dir = path.join(tmp, 'killed-at-init');
  mkdirSync(dir, { mode: 0o700 });
  const raw = new Database(path.join(dir, DB_FILE));
  raw.pragma('journal_mode = WAL'); // what the first run had done when it was killed
  raw.close();
  assert.ok(statSync(path.join(dir, DB_FILE)).size > 0);
  const db = JobDb.open(dir);
  assert.equal(db.getMeta('schema_version'), '2');
  db.close();
});

test('the batch writer commits queued writes together, on size or on flush', async () => {
  const db = JobDb.open(path.join(tmp, 'batch'));
  const w = new BatchWriter(db, 10_000, 3);
  w.add(() => db.setMeta('a', '1'));
  w.add(() => db.setMeta('b', '2'));
  assert.equal(db.getMeta('a'), undefined, 'nothing runs before the batch is due');
  w.add(() => db.setMeta('c', '3'));
  await w.flush();
  assert.equal(db.getMeta('a'), '1', 'the third write filled the batch: all three committed');
  assert.equal(db.getMeta('c'), '3');
  w.add(() => db.setMeta('d', '4'));
  await w.flush();
  assert.equal(db.getMeta('d'), '4');
  db.close();
});

test('a failed commit is kept: nothing of that batch commits and every later flush rethrows', async () => {
  const db = JobDb.open(path.join(tmp, 'batch-fail'));
  const w = new BatchWriter(db, 10_000, 100);
  w.add(() => db.setMeta('x', '1'));
  w.add(() => {
    throw new Error('disk gone');
  });
  await assert.rejects(w.flush(), /disk gone/);
  assert.equal(db.getMeta('x'), undefined, 'the batch rolled back as one');
  w.add(() => db.setMeta('y', '1'));
  await assert.rejects(w.flush(), /disk gone/);
  assert.equal(db.getMeta('y'), undefined);
  assert.match(String(w.failure), /disk gone/);
  db.close();
});

test('a version-1 database is migrated: its done rows count as durable (epoch 0), new ones carry the epoch', () => {
  const dir = path.join(tmp, 'migrate');
  let db = JobDb.open(dir);
  const a = db.insertObject({ fh: new Uint8Array(16), ftype: 2, parentFh: new Uint8Array(16), name: Buffer.from('a'), path: Buffer.from('/a'), stat, reconcile: 0, plannedSegs: 0 });
  db.markDone(a, 10);
  db.close();
  // What a version-1 job's database looks like: no done_epoch column.
  const raw = new Database(path.join(dir, DB_FILE));
  raw.exec('ALTER TABLE objects DROP COLUMN done_epoch');
  raw.prepare("UPDATE meta SET value = '1' WHERE key = 'schema_version'").run();
  raw.close();
  db = JobDb.open(dir);
  assert.equal(db.getMeta('schema_version'), '2');
  assert.equal(db.getObject(a)?.state, 1, 'its progress is kept');
  assert.equal(db.getMeta('durability.synced'), '0', 'epoch 0 counts as synced: a restart undoes none of it');
  assert.equal(db.epoch, 1, 'new marks start at epoch 1');
  assert.equal(db.undoDoneAfter(0), 0, 'a version-1 done row belongs to epoch 0');
  const b = db.insertObject({ fh: new Uint8Array(16).fill(1), ftype: 2, parentFh: new Uint8Array(16), name: Buffer.from('b'), path: Buffer.from('/b'), stat, reconcile: 0, plannedSegs: 0 });
  db.markDone(b, 20);
  db.close();
  db = JobDb.open(dir);
  assert.equal(db.epoch, 1, 'the epoch survives a reopen');
  assert.equal(db.undoDoneAfter(0), 1, 'only the row done in epoch 1 is undone');
  assert.equal(db.getObject(b)?.state, 0);
  assert.equal(db.getObject(a)?.state, 1);
  assert.equal(db.counts().bytes, 10, 'an undone row uploads its bytes again');
  db.close();
});
