/** `ls -l` style lines for container entries. Names and symlink targets arrive raw and leave escaped. */
import type { InodeObject } from '../format/index.js';
import { modeString, typeOfBtype } from '../read/entry-kind.js';
import { escapeName } from '../util/escape-name.js';

/** UTC time with the nanoseconds the container holds, e.g. 2020-09-13 13:50:00.123456716. */
export function formatTime(t: { sec: number; nsec: number }): string {
  const iso = new Date(t.sec * 1000).toISOString(); // 2020-09-13T13:50:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(t.nsec).padStart(9, '0')}`;
}

/** One long line; `name` is already escaped (a path, or escapeName of an entry name). */
export function longLine(name: string, inode: InodeObject): string {
  const v = inode.vattr;
  const type = typeOfBtype(v.btype);
  const size = type === 'chr' || type === 'blk' ? `${v.rdevMajor}, ${v.rdevMinor}` : v.length.toString();
  const target = type === 'symlink' && inode.data ? ` -> ${escapeName(inode.data)}` : '';
  return `${modeString(type, v.mode)} ${String(v.nlink).padStart(3)} ${String(v.uid).padStart(5)} ${String(v.gid).padStart(5)} ${size.padStart(10)} ${formatTime(v.mtime)} ${name}${target}`;
}

/** The long line of an entry whose inode could not be read (GNU ls shows `?` the same way). */
export function unknownLongLine(name: string): string {
  return `${'?'.repeat(10)} ${'?'.padStart(3)} ${'?'.padStart(5)} ${'?'.padStart(5)} ${'?'.padStart(10)} ${'?'.padEnd(29)} ${name}`;
}
