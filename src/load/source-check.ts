/**
 * Refusals of a source root made before anything is written (state or destination): a root that
 * is a symbolic link, and a source that is the local destination itself.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * A root that is a symbolic link is refused rather than followed: the scan opens every entry
 * without following links (O_NOFOLLOW), so a followed root would be one entry whose type differs
 * between the lstat and the open, and the job could neither finish nor resume. The user gives the
 * real path instead, which is also what the job records. `src/` and `src/.` name the link too.
 */
export function checkSourceRoot(source: string): void {
  const abs = path.resolve(source);
  let isLink: boolean;
  try {
    isLink = lstatSync(abs).isSymbolicLink();
  } catch {
    return; // missing or unreadable: the job's own check says so
  }
  if (!isLink) return;
  let to: string;
  try {
    to = realpathSync(abs);
  } catch {
    to = `${readlinkSyncSafe(abs)}, which does not resolve`;
  }
  throw new UsageError(`source ${source} is a symbolic link (to ${to}); give the real path`, { code: 'CLFS_SOURCE_SYMLINK' });
}

/** The source and a local destination directory may not be one directory (same dev:ino): the job would load its own blobs. */
export function checkSourceIsNotDestination(source: string, destinationDir: string): void {
  let a;
  let b;
  try {
    a = statSync(source, { bigint: true });
    b = statSync(destinationDir, { bigint: true });
  } catch {
    return; // one does not exist (yet): not the same directory
  }
  if (a.dev === b.dev && a.ino === b.ino) {
    throw new UsageError(`source ${source} and destination ${destinationDir} are the same directory; the container would hold its own blobs as data. Give another destination (one inside the source is fine: it is not loaded)`, { code: 'CLFS_SOURCE_IS_DEST' });
  }
}

function readlinkSyncSafe(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '?';
  }
}
