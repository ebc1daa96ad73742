/**
 * Node flags the CLI runs with, which node accepts only on its command line (V8 reads them when an
 * isolate starts, so the CLI cannot set them itself): bin/clfsload passes them, and the benchmark
 * passes them when it runs the built entry with node.
 *
 * `--max-semi-space-size=8`: the loader's young garbage survives long enough (many files in
 * flight) that V8 grows the main thread's young generation to its 16 MiB-per-semi-space maximum
 * within ~5,000 files; that alone was most of the peak RSS rise from 2,000 to 20,000 files
 * (new space 17 → 33 MB). 8 is where shorter runs stop anyway: -17 MB at 20,000 files, no
 * measurable time cost (docs/performance.md).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
