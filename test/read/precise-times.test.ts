/**
 * precise-times.ts and its native helper: exact nanoseconds through a handle and on a symlink
 * itself, negative seconds, Node-shaped errors, argument checks, and the microsecond fallback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, promises as fsp, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClfsTime } from '../../src/format/index.js';
import { setHandleTimes, setPathTimes, timePrecision, timePrecisionReason } from '../../src/read/precise-times.js';
import { tempDir } from './read-helpers.js';

const ns = (t: ClfsTime): bigint => BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);

function times(p: string): [bigint, bigint] {
  const st = lstatSync(p, { bigint: true });
  return [st.atimeNs, st.mtimeNs];
}

async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.CLFSLOAD_NO_NATIVE_TIMES;
  if (value === undefined) delete process.env.CLFSLOAD_NO_NATIVE_TIMES;
  else process.env.CLFSLOAD_NO_NATIVE_TIMES = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.CLFSLOAD_NO_NATIVE_TIMES;
    else process.env.CLFSLOAD_NO_NATIVE_TIMES = saved;
  }
}

test('the native helper is built and in use (npm ci builds it)', () => {
  assert.equal(timePrecision(), 'ns', timePrecisionReason());
  assert.equal(timePrecisionReason(), undefined);
});

test('setHandleTimes sets exact nanoseconds through the open handle', async () => {
  const t = tempDir();
  try {
    const f = path.join(t.dir, 'f');
    const fh = await fsp.open(f, 'w');
    const atime = { sec: 1600000000, nsec: 123456789 };
    const mtime = { sec: 1700000001, nsec: 999999999 };
    try {
      await setHandleTimes(fh, atime, mtime);
    } finally {
      await fh.close();
    }
    assert.deepEqual(times(f), [ns(atime), ns(mtime)]);
  } finally {
    t.cleanup();
  }
});

test('setPathTimes sets the symlink itself, not its target', async () => {
  const t = tempDir();
  try {
    const target = path.join(t.dir, 'target');
    const link = path.join(t.dir, 'link');
    writeFileSync(target, 'x');
    symlinkSync('target', link);
    const before = times(target);
    const atime = { sec: 1234567890, nsec: 1 };
    const mtime = { sec: 1234567891, nsec: 987654321 };
    await setPathTimes(Buffer.from(link), atime, mtime);
    assert.deepEqual(times(link), [ns(atime), ns(mtime)]);
    assert.deepEqual(times(target), before, 'the target is untouched');
  } finally {
    t.cleanup();
  }
});

test('setPathTimes takes raw-byte paths, directories and negative seconds', async () => {
  const t = tempDir();
  try {
    const name = Buffer.from([0x64, 0xff, 0xfe]); // "d" + bytes that are not UTF-8
    const p = Buffer.concat([Buffer.from(t.dir + '/'), name]);
    mkdirSync(p);
    const atime = { sec: -1, nsec: 5 }; // 1969-12-31T23:59:59.000000005
    const mtime = { sec: -86400 * 365, nsec: 999999999 };
    await setPathTimes(p, atime, mtime);
    const st = lstatSync(p, { bigint: true });
    assert.deepEqual([st.atimeNs, st.mtimeNs], [-999999995n, ns(mtime)]);
  } finally {
    t.cleanup();
  }
});

test('a failed call throws like Node\'s fs: code, errno, syscall, path', async () => {
  const t = tempDir();
  try {
    const missing = path.join(t.dir, 'missing');
    await assert.rejects(setPathTimes(Buffer.from(missing), { sec: 1, nsec: 0 }, { sec: 1, nsec: 0 }), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.errno, -2);
      assert.equal(err.syscall, 'utimensat');
      assert.equal(err.path, missing);
      assert.match(err.message, /^ENOENT: no such file or directory, utimensat '/);
      return true;
    });
    // a closed handle's fd is -1: rejected as out of range before any syscall
    const fh = await fsp.open(path.join(t.dir, 'f'), 'w');
    await fh.close();
    await assert.rejects(setHandleTimes(fh, { sec: 1, nsec: 0 }, { sec: 1, nsec: 0 }), { code: 'ERR_OUT_OF_RANGE' });
  } finally {
    t.cleanup();
  }
});

test('bad arguments are rejected before any syscall', async () => {
  const t = tempDir();
  try {
    const f = path.join(t.dir, 'f');
    writeFileSync(f, '');
    const before = times(f);
    const p = Buffer.from(f);
    const ok = { sec: 1, nsec: 0 };
    const bad: [ClfsTime, ClfsTime, string, RegExp][] = [
      [{ sec: 1, nsec: 1_000_000_000 }, ok, 'ERR_OUT_OF_RANGE', /atimeNsec/],
      [ok, { sec: 1, nsec: -1 }, 'ERR_OUT_OF_RANGE', /mtimeNsec/],
      [ok, { sec: 1, nsec: 0.5 }, 'ERR_OUT_OF_RANGE', /mtimeNsec/],
      [{ sec: 2 ** 53, nsec: 0 }, ok, 'ERR_OUT_OF_RANGE', /atimeSec/],
      [ok, { sec: Number.NaN, nsec: 0 }, 'ERR_OUT_OF_RANGE', /mtimeSec/],
      [{ sec: '1' as unknown as number, nsec: 0 }, ok, 'ERR_INVALID_ARG_TYPE', /atimeSec must be a number/],
    ];
    for (const [a, m, code, message] of bad) await assert.rejects(setPathTimes(p, a, m), { code, message }, JSON.stringify([a, m]));
    await assert.rejects(setPathTimes(Buffer.from(f + '\0x'), ok, ok), { code: 'ERR_INVALID_ARG_VALUE', message: /NUL/ });
    assert.deepEqual(times(f), before, 'nothing was changed');
  } finally {
    t.cleanup();
  }
});

test('CLFSLOAD_NO_NATIVE_TIMES=1 falls back to the nearest microsecond', async () => {
  const t = tempDir();
  try {
    const f = path.join(t.dir, 'f');
    const link = path.join(t.dir, 'link');
    symlinkSync('f', link);
    const atime = { sec: 1600005000, nsec: 123456716 }; // rounds up to …457 µs
    const mtime = { sec: 1600000000, nsec: 999999999 }; // rounds into the next second
    await withEnv('1', async () => {
      assert.equal(timePrecision(), 'us');
      assert.match(timePrecisionReason() ?? '', /CLFSLOAD_NO_NATIVE_TIMES/);
      const fh = await fsp.open(f, 'w');
      try {
        await setHandleTimes(fh, atime, mtime);
      } finally {
        await fh.close();
      }
      await setPathTimes(Buffer.from(link), atime, mtime);
    });
    const want: [bigint, bigint] = [1600005000_123457000n, 1600000001_000000000n];
    assert.deepEqual(times(f), want);
    assert.deepEqual(times(link), want);
    assert.equal(timePrecision(), 'ns', 'the helper is back once the variable is unset');
  } finally {
    t.cleanup();
  }
});
