/**
 * The error hierarchy. Every error clfsload raises on purpose is a ClfsError with a stable
 * `code`; the CLI maps classes to exit codes in one place (src/cli/exit-codes.ts).
 */

/** Base class: a stable machine-readable code plus structured data (blob name, path, ...). */
export class ClfsError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  constructor(code: string, message: string, options: { cause?: unknown; data?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.data = options.data ?? {};
  }
}

/** Codes raised by the pure codec (src/format). */
export type FormatErrorCode =
  | 'CLFS_BAD_MAGIC'
  | 'CLFS_TRUNCATED'
  | 'CLFS_BAD_LZ4'
  | 'CLFS_BAD_NAME'
  | 'CLFS_BAD_ENVELOPE'
  | 'CLFS_BAD_HANDLE'
  | 'CLFS_BAD_OBJECT'
  | 'CLFS_BAD_VALUE'
  | 'CLFS_LIMIT';

/** Malformed or unsupported bytes or names. `blob` names the blob when the caller knows it. */
export class FormatError extends ClfsError {
  readonly blob: string | undefined;
  constructor(code: FormatErrorCode, message: string, options: { blob?: string; cause?: unknown; data?: Record<string, unknown> } = {}) {
    super(code, options.blob ? `${options.blob}: ${message}` : message, { cause: options.cause, data: { ...options.data, blob: options.blob } });
    this.blob = options.blob;
  }
}

/** Codes raised by blob stores. */
export type StoreErrorCode =
  | 'CLFS_STORE_NOT_FOUND'
  | 'CLFS_STORE_AUTH'
  | 'CLFS_STORE_CONTAINER_MISSING'
  | 'CLFS_STORE_THROTTLED'
  | 'CLFS_STORE_UNAVAILABLE'
  | 'CLFS_STORE_IO'
  | 'CLFS_STORE_BAD_URL'
  /** a listing that does not advance (the same continuation marker again) */
  | 'CLFS_STORE_BAD_LISTING';

/** A blob store failure. `retryable` tells retry wrappers whether trying again may help. */
export class StoreError extends ClfsError {
  readonly blob: string | undefined;
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(code: StoreErrorCode, message: string, options: { blob?: string; status?: number; retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause, data: { blob: options.blob, status: options.status } });
    this.blob = options.blob;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/** The local job state (database, state directory) is missing, corrupt or does not fit the command. */
export class StateError extends ClfsError {}

/** A source tree entry could not be read. `path` is the source path. */
export class SourceError extends ClfsError {
  readonly path: string;
  constructor(code: string, path: string, message: string, options: { cause?: unknown } = {}) {
    super(code, `${path}: ${message}`, { cause: options.cause, data: { path } });
    this.path = path;
  }
}

/** The command line or its arguments are wrong. */
export class UsageError extends ClfsError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'CLFS_USAGE', message, { cause: options.cause });
  }
}

/** The job was interrupted (Ctrl-C / abort signal). */
export class AbortedError extends ClfsError {
  constructor(message = 'aborted') {
    super('CLFS_ABORTED', message);
  }
}
