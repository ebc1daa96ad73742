import { ClfsError } from '../errors.js';

/** Stable codes of problems the reader meets while following a container's structure. */
export type ReadErrorCode =
  | 'CLFS_READ_NO_ROOT'
  | 'CLFS_READ_MISSING_BLOB'
  | 'CLFS_READ_BAD_STRUCTURE'
  | 'CLFS_READ_NOT_FOUND'
  | 'CLFS_READ_NOT_A_DIRECTORY'
  | 'CLFS_READ_NOT_A_FILE';

/** The container is structurally inconsistent, or a path does not resolve. Carries blob and/or path. */
export class ReadError extends ClfsError {
  readonly blob: string | undefined;
  readonly path: string | undefined;
  constructor(code: ReadErrorCode, message: string, options: { blob?: string; path?: string; cause?: unknown } = {}) {
    const where = options.path !== undefined ? `${options.path}: ` : options.blob ? `${options.blob}: ` : '';
    super(code, where + message, { cause: options.cause, data: { blob: options.blob, path: options.path } });
    this.blob = options.blob;
    this.path = options.path;
  }
}
