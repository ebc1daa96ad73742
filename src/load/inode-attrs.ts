/** Builds the VATTR (§6.2) of an object from its source attributes. */
import { Btype, ftypeToBtype } from '../format/constants.js';
import { toClfsTime } from '../format/time.js';
import { devMajor, devMinor, type Vattr } from '../format/vattr.js';
import type { SourceStat } from '../source/stat.js';
import type { JobConfig } from '../state/job-meta.js';

/** VATTR with the given length (also `used`, §14.3 item 15) and nlink. Throws CLFS_LIMIT for times outside u32. */
export function buildVattr(stat: SourceStat, ftype: number, length: bigint, nlink: number, config: JobConfig): Vattr {
  return {
    mode: stat.mode & 0xffff,
    btype: ftypeToBtype(ftype) ?? Btype.INVALID,
    uid: stat.uid,
    gid: stat.gid,
    length,
    mtime: toClfsTime(stat.mtimeSec, stat.mtimeNsec),
    ctime: toClfsTime(stat.ctimeSec, stat.ctimeNsec),
    atime: toClfsTime(stat.atimeSec, stat.atimeNsec),
    used: length,
    fsid: BigInt(config.fsid),
    fileid: stat.ino,
    rdevMajor: devMajor(stat.rdev),
    rdevMinor: devMinor(stat.rdev),
    nlink,
    containerId: BigInt(config.containerId),
  };
}

/** DATABACK ctime: truncated seconds of the owner's ctime (§6.2). */
export function databackCtime(stat: SourceStat): number {
  return toClfsTime(stat.ctimeSec, stat.ctimeNsec).sec;
}
