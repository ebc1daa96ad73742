/**
 * Where the read commands write their output. Tests swap these for in-memory sinks instead of
 * patching process.stdout (node:test's child protocol also travels on process.stdout).
 */
export const outputs: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = {
  stdout: process.stdout,
  stderr: process.stderr,
};

/** Writes a chunk, waiting for 'drain' when the stream asks for it (bounded memory when piping a file). */
export async function writeOut(chunk: Uint8Array | string, stream: NodeJS.WritableStream = outputs.stdout): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}
