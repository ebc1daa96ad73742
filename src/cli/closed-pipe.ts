/**
 * A reader that went away (`clfsload cat … | head -c 10`): coreutils die of SIGPIPE there, quietly.
 * Node ignores SIGPIPE and reports EPIPE instead; ls and cat then end quietly with exit 0.
 * Any other output failure (ENOSPC, EIO) is still an error.
 */
import { ClfsError } from '../errors.js';

export function isClosedPipe(err: unknown): boolean {
  return err instanceof ClfsError && err.code === 'CLFS_OUTPUT_CLOSED' && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** Runs `action`; an EPIPE on stdout ends it quietly (the exit code stays what the action set). */
export async function quietOnClosedPipe(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!isClosedPipe(err)) throw err;
  }
}
