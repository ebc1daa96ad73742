/** Checks on `--state-path` and the source made before a load creates anything. */
import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { redactCredentials } from '../store/redact.js';
import { sourceErrorFrom } from '../source/file-reader.js';
import { DB_FILE } from './job-db.js';

const URL_SHAPED = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A URL (`postgres://u:pw@h/db`) is no local path: refused (exit 2), its credentials never shown. */
export function refuseUrlStatePath(statePath: string): void {
  if (URL_SHAPED.test(statePath)) {
    throw new UsageError(`--state-path ${redactCredentials(statePath)} is a URL; the job state is kept in a local directory (no database URL is supported yet)`, { code: 'CLFS_STATE_URL' });
  }
}

function idOf(p: string): string | undefined {
  try {
    const st = statSync(p, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** The state dir may not be the source itself (same directory, links followed): its files would be loaded. */
export function refuseStateIsSource(statePath: string, source: string): void {
  const state = idOf(statePath);
  if (state !== undefined && state === idOf(source)) {
    throw new UsageError(`--state-path ${statePath} is the source directory ${source}; the job's own files would be loaded. Give the state a directory outside the source`, { code: 'CLFS_STATE_IS_SOURCE' });
  }
}

/** Whether the state dir already holds a job database (a resume: its source is checked by the job). */
export function holdsJob(statePath: string): boolean {
  try {
    lstatSync(path.join(statePath, DB_FILE));
    return true;
  } catch {
    return false;
  }
}

/** A new job's source must be a directory (links followed) before any state or destination is created. */
export function checkSourceBeforeStart(source: string): void {
  let st;
  try {
    st = statSync(source);
  } catch (err) {
    throw new UsageError(`source ${sourceErrorFrom(source, err).message}`, { code: 'CLFS_SOURCE_MISSING' });
  }
  if (!st.isDirectory()) throw new UsageError(`source ${source} is not a directory`, { code: 'CLFS_SOURCE_NOT_DIR' });
}
