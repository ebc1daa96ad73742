/**
 * Sets atime/mtime to the nanosecond through the native helper (native/precise-times: futimens and
 * utimensat with AT_SYMLINK_NOFOLLOW). Node's own utimes calls take a double and libuv truncates
 * to microseconds, and no npm package takes nanoseconds. When the helper is not built (or
 * CLFSLOAD_NO_NATIVE_TIMES=1), times fall back to the nearest microsecond via Node's calls.
 */
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ClfsTime } from '../format/index.js';
import { findUp } from '../util/find-up.js';

interface Native {
  futimens(fd: number, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): void;
  lutimens(p: Buffer, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): void;
}

export type TimePrecision = 'ns' | 'us';

const ADDON = path.join('native', 'precise-times', 'build', 'Release', 'precise_times.node');

let loaded: { native?: Native; reason?: string } | undefined;
const disabled = { reason: 'disabled by CLFSLOAD_NO_NATIVE_TIMES=1' };

/** The env var is read on every call (not cached) so tests can switch to the fallback in-process. */
function load(): { native?: Native; reason?: string } {
  if (process.env.CLFSLOAD_NO_NATIVE_TIMES === '1') return disabled;
  if (loaded) return loaded;
  const file = findUp(import.meta.url, ADDON); // under the repo (or package) root
  if (!file) return (loaded = { reason: `native helper not built (${ADDON} missing; run npm ci or npm rebuild)` });
  try {
    return (loaded = { native: createRequire(import.meta.url)(file) as Native });
  } catch (err) {
    return (loaded = { reason: `native helper failed to load: ${(err as Error).message}` });
  }
}

/** 'ns' when times are set exactly, 'us' when they fall back to the nearest microsecond. */
export function timePrecision(): TimePrecision {
  return load().native ? 'ns' : 'us';
}

/** Why times are only microsecond-precise (undefined when the native helper is in use). */
export function timePrecisionReason(): string | undefined {
  return load().reason;
}

/**
 * Fallback: the time value for Node's utimes calls. libuv truncates the double to whole
 * microseconds (uv__fs_to_timespec), so we aim at the middle of the nearest microsecond and the
 * truncation lands inside it: error ≤ 0.5 µs against the container.
 */
export function utimeValue(t: ClfsTime): number {
  let sec = t.sec;
  let us = Math.round(t.nsec / 1000);
  if (us >= 1_000_000) {
    sec += 1;
    us -= 1_000_000;
  }
  return sec + (us * 1000 + 500) / 1e9;
}

/** Times of the file behind an open handle. */
export async function setHandleTimes(fh: fsp.FileHandle, atime: ClfsTime, mtime: ClfsTime): Promise<void> {
  const { native } = load();
  if (native) native.futimens(fh.fd, atime.sec, atime.nsec, mtime.sec, mtime.nsec);
  else await fh.utimes(utimeValue(atime), utimeValue(mtime));
}

/** Times of the entry at `p` itself: a symlink is never followed. */
export async function setPathTimes(p: Buffer, atime: ClfsTime, mtime: ClfsTime): Promise<void> {
  const { native } = load();
  if (native) native.lutimens(p, atime.sec, atime.nsec, mtime.sec, mtime.nsec);
  else await fsp.lutimes(p, utimeValue(atime), utimeValue(mtime));
}
