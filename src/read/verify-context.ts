/** Shared state of one verify run, and the "read an object, turn any failure into a finding" helper. */
import { ClfsError, FormatError, StoreError } from '../errors.js';
import type { ClfsObject } from '../format/index.js';
import type { Container } from './container.js';
import type { FindingCode, FindingSink } from './findings.js';
import type { NameIndex } from './name-index.js';
import { ReadError } from './read-error.js';

/** What verify learned about one inode blob, for the cross-checks after the walk. */
export interface ObjectState {
  /** directory entries naming it */
  refs: number;
  /** id hex of the directory of each such entry */
  parents: string[];
  path: string;
  isDir?: boolean;
  /** BACK entries as id hex (non-directories) */
  back?: string[];
  nlink?: number;
}

export interface VerifyStats {
  inodes: number;
  directories: number;
  files: number;
  symlinks: number;
  fifos: number;
  sockets: number;
  charDevices: number;
  blockDevices: number;
  hardLinkedInodes: number;
  fileSegments: number;
  dirSegments: number;
  indirectBlocks: number;
  /** Σ regular-file lengths */
  dataBytes: bigint;
}

export function emptyStats(): VerifyStats {
  return { inodes: 0, directories: 0, files: 0, symlinks: 0, fifos: 0, sockets: 0, charDevices: 0, blockDevices: 0, hardLinkedInodes: 0, fileSegments: 0, dirSegments: 0, indirectBlocks: 0, dataBytes: 0n };
}

export interface VerifyContext {
  c: Container;
  index: NameIndex;
  sink: FindingSink;
  stats: VerifyStats;
  /** inode blob name → state */
  objects: Map<string, ObjectState>;
  /** names of blobs something references (live objects, their segments, stale versions already reported) */
  referenced: Set<string>;
  /** segment read-ahead per file/directory */
  readAhead: number;
}

const FORMAT_CODES: Record<string, FindingCode> = {
  CLFS_BAD_LZ4: 'VERIFY_BAD_LZ4',
  CLFS_TRUNCATED: 'VERIFY_TRUNCATED',
  CLFS_BAD_ENVELOPE: 'VERIFY_BAD_ENVELOPE',
};

/** Reports any failure of reading/decoding `blob` as the matching finding. */
export function reportReadFailure(ctx: VerifyContext, err: unknown, where: { blob?: string; path?: string }): void {
  if (err instanceof ReadError && err.code === 'CLFS_READ_MISSING_BLOB') {
    ctx.sink.add('VERIFY_MISSING_BLOB', err.message, { ...where, blob: err.blob ?? where.blob });
  } else if (err instanceof ReadError && err.code === 'CLFS_READ_BAD_STRUCTURE') {
    ctx.sink.add('VERIFY_WRONG_KIND', err.message, { ...where, blob: err.blob ?? where.blob });
  } else if (err instanceof FormatError) {
    ctx.sink.add(FORMAT_CODES[err.code] ?? 'VERIFY_BAD_BLOB', `${err.message} [${err.code}]`, { ...where, blob: err.blob ?? where.blob });
  } else if (err instanceof StoreError) {
    ctx.sink.add('VERIFY_READ_FAILED', `${err.message} [${err.code}]`, where);
  } else if (err instanceof ClfsError) {
    ctx.sink.add('VERIFY_BAD_BLOB', `${err.message} [${err.code}]`, where);
  } else {
    ctx.sink.add('VERIFY_READ_FAILED', `unexpected failure: ${(err as Error)?.message ?? String(err)}`, where);
  }
}

/** Reads and decodes a blob; on failure records a finding and returns undefined. Never throws. */
export async function loadObject(ctx: VerifyContext, blob: string, path?: string): Promise<ClfsObject | undefined> {
  try {
    return await ctx.c.readObject(blob);
  } catch (err) {
    reportReadFailure(ctx, err, { blob, path });
    return undefined;
  }
}
