/**
 * How far V8 lets the heap grow between full collections, set once when the CLI starts.
 *
 * The loader's live heap is small (8-12 MB) and flat whatever the tree, but each file leaves
 * short-lived garbage, part of which outlives the young generation (many files are in flight at
 * once). V8's default lets the old generation grow to several times its live size before a full
 * collection, so RSS kept rising for the first tens of thousands of files (1.37-1.44x from 2,000
 * to 20,000 files). Capping the growth at 2x, like Go's GOGC=100, keeps it flat (1.12-1.21x) for
 * ~3x as many full collections (docs/performance.md). V8 flags are process-wide: the worker
 * threads follow it too.
 */
import v8 from 'node:v8';

/** Old-generation growth allowed between full collections, in percent of the live heap. */
export const HEAP_GROWING_PERCENT = 100;

/**
 * The V8 flag to set, or undefined when node was started with one of its own (node refuses V8
 * heap flags in NODE_OPTIONS, so its arguments are the only place a user can choose).
 */
export function heapPolicyFlag(execArgv: readonly string[]): string | undefined {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

export function applyHeapPolicy(): void {
  const flag = heapPolicyFlag(process.execArgv);
  if (flag) v8.setFlagsFromString(flag);
}
