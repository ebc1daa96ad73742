/**
 * A damaged state database is detected and reported with what to do, never silently reset:
 * garbage over the header, truncated to half, truncated to nothing, removed (while the state dir
 * still holds the job's log), and a page overwritten in the middle. Each resume attempt exits 4
 * with one line naming the database (CLFS_STATE_CORRUPT) and leaves the database and the
 * destination exactly as they were; putting the good database back lets the job finish.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeTree } from '../helpers/tree.js';
import { addSmallFiles, assertVerifyClean, runCli, tempDir } from './rel-helpers.js';

type Damage = (db: string) => void;

/** Every file of a local-directory container (temp files included), by name, with its bytes' sha256. */
function blobDigests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = createHash('sha256').update(readFileSync(path.join(dir, name))).digest('hex');
  return out;
}

const damages: [string, Damage][] = [
  ['garbage over the header', (db) => {
    const b = readFileSync(db);
    Buffer.from('this is not an SQLite header at all').copy(b, 0);
    writeFileSync(db, b);
  }],
  ['truncated to half', (db) => truncateSync(db, Math.floor(statSync(db).size / 2))],
  ['truncated to zero bytes', (db) => truncateSync(db, 0)],
  ['removed while the state dir still holds the job log', (db) => rmSync(db)],
  ['a page overwritten in the middle', (db) => {
    const b = readFileSync(db);
    const pageSize = b.readUInt16BE(16) === 1 ? 65536 : b.readUInt16BE(16);
    const page = Math.floor(b.length / pageSize / 2);
    b.fill(0x5a, page * pageSize, (page + 1) * pageSize);
    writeFileSync(db, b);
  }],
];

describe('a damaged state database', { concurrency: 1 }, () => {
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  let dest: string;
  let state: string;
  let dbFile: string;
  let good: Buffer;
  let blobsBefore: Record<string, string>;
  const args = () => ['load', src, dest, '--state-path', state];

  before(async () => {
    tmp = tempDir('statedb');
    src = path.join(tmp.dir, 'tree');
    makeTree('basic', path.join(src, 'basic'));
    addSmallFiles(src, 300);
    dest = path.join(tmp.dir, 'dest');
    state = path.join(tmp.dir, 'state');
    dbFile = path.join(state, 'clfsload.db');
    const killed = await runCli(args(), { env: { CLFSLOAD_TEST_KILL_AT: 'after-inode:100' } });
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
    // fold the WAL into the main file so each damage hits the whole database
    const db = new Database(dbFile);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    for (const f of ['-wal', '-shm']) rmSync(dbFile + f, { force: true });
    good = readFileSync(dbFile);
    assert.ok(good.length >= 4 * 4096, `a database of several pages (${good.length} bytes)`);
    blobsBefore = blobDigests(dest);
    assert.ok(Object.keys(blobsBefore).length > 100, `a container of many blobs (${Object.keys(blobsBefore).length})`);
  });
  after(() => tmp?.cleanup());

  for (const [label, damage] of damages) {
    test(`${label}: exit 4, one line saying what to do, nothing reset or written`, async () => {
      writeFileSync(dbFile, good);
      damage(dbFile);
      const damaged = existsSync(dbFile) ? readFileSync(dbFile) : undefined;
      const r = await runCli(args());
      assert.equal(r.code, 4, r.stdout + r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /\[CLFS_STATE_CORRUPT\]/);
      assert.ok(lines[0].includes(dbFile), `names the database file: ${lines[0]}`);
      assert.match(lines[0], /new --state-path/, 'says what to do');
      assert.deepEqual(existsSync(dbFile) ? readFileSync(dbFile) : undefined, damaged, 'the database is left as it was');
      assert.deepEqual(blobDigests(dest), blobsBefore, 'the destination is left byte for byte: same names, same bytes');
    });
  }

  test('with the good database back, the job resumes and completes', async () => {
    for (const f of ['-wal', '-shm']) rmSync(dbFile + f, { force: true });
    writeFileSync(dbFile, good);
    const r = await runCli(args());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Resuming load/);
    await assertVerifyClean(dest);
  });
});
