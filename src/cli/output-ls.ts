/** `ls -l` style lines for container entries. */
import type { InodeObject } from '../format/index.js';
import { displayName, modeString, typeOfBtype } from '../read/entry-kind.js';

/** UTC time with the nanoseconds the container holds, e.g. 2020-09-13 13:50:00.123456716. */
export function formatTime(t: { sec: number; nsec: number }): string {
  const iso = new Date(t.sec * 1000).toISOString(); // 2020-09-13T13:50:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(t.nsec).padStart(9, '0')}`;
}

export function longLine(name: string, inode: InodeObject): string {
  const v = inode.vattr;
  const type = typeOfBtype(v.btype);
  const size = type === 'chr' || type === 'blk' ? `${v.rdevMajor}, ${v.rdevMinor}` : v.length.toString();
  const target = type === 'symlink' && inode.data ? ` -> ${displayName(inode.data)}` : '';
  return `${modeString(type, v.mode)} ${String(v.nlink).padStart(3)} ${String(v.uid).padStart(5)} ${String(v.gid).padStart(5)} ${size.padStart(10)} ${formatTime(v.mtime)} ${name}${target}`;
}
