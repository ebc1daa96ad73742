import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { joinPath, readDirNames } from '../../src/source/read-dir.js';
import { ftypeOfMode, lstatSource } from '../../src/source/stat.js';
import { Ftype } from '../../src/format/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-readdir-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('names come back as raw bytes, invalid UTF-8 included', async () => {
  const bad = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]);
  writeFileSync(Buffer.concat([Buffer.from(tmp + '/'), bad]), 'x');
  writeFileSync(path.join(tmp, 'plain'), 'y');
  const names: Buffer[] = [];
  for await (const n of readDirNames(Buffer.from(tmp))) names.push(n);
  assert.equal(names.length, 2);
  assert.ok(names.some((n) => n.equals(bad)));
  const st = await lstatSource(joinPath(Buffer.from(tmp), bad));
  assert.equal(st.size, 1n);
  assert.equal(ftypeOfMode(st.mode), Ftype.REG);
});

test('lstat keeps nanoseconds exactly (never through mtimeMs)', async () => {
  const f = path.join(tmp, 'plain');
  const st = await lstatSource(Buffer.from(f));
  const { execFileSync } = await import('node:child_process');
  execFileSync('touch', ['-d', '@1614834367.123456789', f]);
  const st2 = await lstatSource(Buffer.from(f));
  assert.equal(st2.mtimeSec, 1614834367n);
  assert.equal(st2.mtimeNsec, 123456789n);
  assert.ok(st.ino === st2.ino);
});

test('joinPath does not double a trailing slash', () => {
  assert.equal(joinPath(Buffer.from('/a/'), Buffer.from('b')).toString(), '/a/b');
  assert.equal(joinPath(Buffer.from('/a'), Buffer.from('b')).toString(), '/a/b');
});
