/**
 * Bundles the compiled CLI (dist/src, from tsc) into dist/cli: one module for the CLI and one per
 * worker thread it starts, beside it (siblingWorkerUrl finds them by name). Node 20 loads ~100
 * small ES modules ~40 ms slower than one bundle of the same code, on every command. Packages
 * stay external: they load from node_modules as before (better-sqlite3 and lz4 are native).
 */
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

/** The worker modules the CLI starts (src/util/worker-pool.ts siblingWorkerUrl), by the names it uses. */
const WORKERS = {
  'source-worker': 'dist/src/source/source-worker.js',
  'local-put-worker': 'dist/src/store/local-put-worker.js',
};

await build({
  entryPoints: { main: 'dist/src/cli/main.js', ...WORKERS },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outdir: 'dist/cli',
  logLevel: 'warning',
});
chmodSync('dist/cli/main.js', 0o755);
// The unbundled entry stays runnable too: npx caches of this package made before the bundle link to it.
chmodSync('dist/src/cli/main.js', 0o755);
