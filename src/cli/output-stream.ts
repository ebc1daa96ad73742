/**
 * Where the read commands write their output. Tests swap these for in-memory sinks instead of
 * patching process.stdout (node:test's child protocol also travels on process.stdout).
 */
import { ClfsError } from '../errors.js';

export const outputs: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = {
  stdout: process.stdout,
  stderr: process.stderr,
};

const failures = new WeakMap<NodeJS.WritableStream, Error>();
const guarded = new WeakSet<NodeJS.WritableStream>();

/** Records a stream's write error (EPIPE when the reader went away) instead of crashing on it. */
function guard(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (err: Error) => failures.set(stream, err));
}

function check(stream: NodeJS.WritableStream): void {
  const err = failures.get(stream);
  if (err) throw new ClfsError('CLFS_OUTPUT_CLOSED', `cannot write output: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err });
}

/** Writes a chunk, waiting for 'drain' when the stream asks for it (bounded memory when piping a file). */
export async function writeOut(chunk: Uint8Array | string, stream: NodeJS.WritableStream = outputs.stdout): Promise<void> {
  guard(stream);
  check(stream);
  if (!stream.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('error', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('error', done);
    });
  }
  check(stream);
}
