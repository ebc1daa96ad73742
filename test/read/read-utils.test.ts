/** Small reader building blocks: request budget, read-ahead, work stack, names, modes, char counts, truncation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeObject } from '../../src/format/index.js';
import { Budget } from '../../src/util/budget.js';
import { readAhead } from '../../src/read/read-ahead.js';
import { runWorkStack } from '../../src/read/work-stack.js';
import { modeString, unsafeNameReason } from '../../src/read/entry-kind.js';
import { payloadLooksTruncated } from '../../src/read/truncation.js';
import { utimeValue } from '../../src/read/precise-times.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

test('Budget.run never runs more than max at once', async () => {
  const l = new Budget(3);
  let active = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 20 }, () => l.run(async () => {
    peak = Math.max(peak, ++active);
    await tick();
    active--;
  })));
  assert.equal(peak, 3);
});

test('readAhead keeps order, bounds fetches in flight, and surfaces failures in order', async () => {
  async function* src() {
    for (let i = 0; i < 10; i++) yield i;
  }
  let inFlight = 0;
  let peak = 0;
  const out: number[] = [];
  for await (const v of readAhead(src(), async (i) => {
    peak = Math.max(peak, ++inFlight);
    await new Promise((r) => setTimeout(r, 10 - i));
    inFlight--;
    return i * 2;
  }, 3)) out.push(v);
  assert.deepEqual(out, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.ok(peak <= 3 && peak > 1, `peak ${peak}`);
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const v of readAhead(src(), async (i) => {
      if (i === 4) throw new Error('boom');
      return i;
    }, 3)) got.push(v);
  }, /boom/);
  assert.deepEqual(got, [0, 1, 2, 3]);
});

test('runWorkStack visits a tree depth first with bounded pending cursors', async () => {
  // a tree of depth 4, fan-out 5: children are pushed as lazy iterators
  const seen: string[] = [];
  async function* kids(p: string) {
    for (let i = 0; i < 5; i++) yield `${p}/${i}`;
  }
  await runWorkStack(kids(''), 4, async (item, push) => {
    await tick();
    seen.push(item);
    if (item.split('/').length < 5) push(kids(item));
  });
  assert.equal(seen.length, 5 + 25 + 125 + 625);
  assert.equal(new Set(seen).size, seen.length);
});

test('runWorkStack rethrows the first failure', async () => {
  async function* items() {
    for (let i = 0; i < 50; i++) yield i;
  }
  await assert.rejects(runWorkStack(items(), 3, async (i) => {
    if (i === 7) throw new Error('seven');
  }), /seven/);
});

test('unsafeNameReason refuses empty, ".", "..", "/" and NUL only', () => {
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
  assert.equal(unsafeNameReason(b('')), 'empty name');
  assert.ok(unsafeNameReason(b('.')));
  assert.ok(unsafeNameReason(b('..')));
  assert.ok(unsafeNameReason(b('../escape')));
  assert.ok(unsafeNameReason(b('a\0b')));
  for (const ok of ['...', '.hidden', 'a..b', 'ü', ' ']) assert.equal(unsafeNameReason(b(ok)), undefined, ok);
});

test('modeString renders types and special bits like ls', () => {
  assert.equal(modeString('file', 0o104755), '-rwsr-xr-x');
  assert.equal(modeString('dir', 0o041777), 'drwxrwxrwt');
  assert.equal(modeString('file', 0o102644), '-rw-r-Sr--');
  assert.equal(modeString('symlink', 0o120777), 'lrwxrwxrwx');
  assert.equal(modeString('chr', 0o020620), 'crw--w----');
});


test('payloadLooksTruncated tells a cut payload from a corrupt one', () => {
  const payload = encodeObject({ kind: 'bucket', attrs: [['a', 'b']] });
  assert.equal(payloadLooksTruncated(payload), false);
  assert.equal(payloadLooksTruncated(payload.subarray(0, payload.length - 3)), true);
  assert.equal(payloadLooksTruncated(payload.subarray(0, 10)), true);
  const bad = new Uint8Array(payload);
  bad[0] ^= 1;
  assert.equal(payloadLooksTruncated(bad.subarray(0, bad.length - 3)), false);
});

test('utimeValue lands inside the nearest microsecond after libuv truncation', () => {
  const cases: [{ sec: number; nsec: number }, number, number][] = [
    [{ sec: 1600005000, nsec: 123456716 }, 1600005000, 123457],
    [{ sec: 1600005000, nsec: 123456499 }, 1600005000, 123456],
    [{ sec: 1600000000, nsec: 999999999 }, 1600000001, 0],
    [{ sec: 4294967295, nsec: 1000 }, 4294967295, 1],
    [{ sec: 0, nsec: 0 }, 0, 0],
  ];
  for (const [t, wantSec, wantUs] of cases) {
    const v = utimeValue(t);
    const sec = Math.trunc(v);
    const us = Math.trunc(((v - sec) * 1e9) / 1000);
    assert.equal(sec, wantSec);
    assert.equal(us, wantUs);
  }
});
