import { AbortedError, ClfsError, FormatError, SourceError, StateError, StoreError, UsageError } from '../errors.js';

/** Exit codes, in one table (also printed by `clfsload --help`). */
export const EXIT = {
  OK: 0,
  /** the command ran but found or caused failures (verify errors, failed transfers) */
  FAILED: 1,
  USAGE: 2,
  STORE: 3,
  STATE: 4,
  SOURCE: 5,
  FORMAT: 6,
  ABORTED: 130,
  INTERNAL: 70,
} as const;

export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    completed with failures (verify found errors, some transfers failed)
  2    bad command line or arguments
  3    destination or container error (authentication, missing container, network)
  4    job state error (state directory or database)
  5    source tree error
  6    malformed CLFS data
  70   internal error
  130  interrupted (Ctrl-C); a load can be resumed`;

/** Maps any thrown value to an exit code. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof StoreError) return EXIT.STORE;
  if (err instanceof StateError) return EXIT.STATE;
  if (err instanceof SourceError) return EXIT.SOURCE;
  if (err instanceof FormatError) return EXIT.FORMAT;
  if (err instanceof AbortedError) return EXIT.ABORTED;
  // a container whose objects do not fit together (lengths, owners, kinds) is malformed data too
  if (err instanceof ClfsError && err.code === 'CLFS_READ_BAD_STRUCTURE') return EXIT.FORMAT;
  if (err instanceof ClfsError) return EXIT.FAILED;
  return EXIT.INTERNAL;
}
