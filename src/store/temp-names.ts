/** Names of LocalDirStore's temp files, made on the main thread and in its put workers alike. */
import { randomBytes } from 'node:crypto';

/**
 * Temp files live in the container directory itself (so rename is atomic on one file system) under a
 * prefix no blob may use; CLFS blob names never start with '.', so reserving this one costs nothing.
 */
export const TEMP_PREFIX = '.clfs-tmp.';

/**
 * A maker of unique temp paths in a directory: pid first (the sweep of dead writers' temps reads
 * it), then a random tag per maker (so each thread makes its own), then a counter — unique
 * without a random draw per put. process.pid is read once: it is a getter that makes a syscall.
 */
export function tempNamer(): (dir: string) => string {
  const stem = `${TEMP_PREFIX}${process.pid}.${randomBytes(6).toString('hex')}.`;
  let seq = 0;
  return (dir) => `${dir}/${stem}${++seq}`;
}

/** The pid a temp name carries, or NaN when it has none (names from before this scheme). */
export function tempNamePid(name: string): number {
  return Number(name.slice(TEMP_PREFIX.length).split('.')[0]);
}
