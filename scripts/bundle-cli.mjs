/**
 * Bundles the compiled CLI (dist/src, from tsc) into dist/cli: one module for the CLI and one per
 * worker thread it starts, beside it (siblingWorkerUrl finds them by name). Node 20 loads ~100
 * small ES modules ~40 ms slower than one bundle of the same code, on every command. Packages
 * stay external: they load from node_modules as before (better-sqlite3 and lz4 are native).
 *
 * The one exception is @azure/storage-blob, bundled with its own dependencies into
 * dist/cli/azure-sdk.js, which the CLI imports lazily, only for a container URL. From node_modules
 * it is ~270 modules and takes 150-200 ms to import; as one module, ~40 ms, on every Azure job.
 */
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

/** The worker modules the CLI starts (src/util/worker-pool.ts siblingWorkerUrl), by the names it uses. */
const WORKERS = {
  'source-worker': 'dist/src/source/source-worker.js',
  'local-put-worker': 'dist/src/store/local-put-worker.js',
};

const AZURE_SDK = '@azure/storage-blob';
/** The SDK bundle's name beside the CLI's (an entry point name, without `.js`). */
const SDK_BUNDLE = 'azure-sdk';

/** What both bundles share: ES modules for Node 20, written to dist/cli. */
const COMMON = { bundle: true, platform: 'node', format: 'esm', target: 'node20', outdir: 'dist/cli', logLevel: 'warning' };

/** Points the CLI's import of the Azure SDK at the SDK bundle beside it. */
const useSdkBundle = {
  name: 'use-sdk-bundle',
  setup(b) {
    b.onResolve({ filter: /^@azure\/storage-blob$/ }, () => ({ path: `./${SDK_BUNDLE}.js`, external: true }));
  },
};

await build({
  ...COMMON,
  entryPoints: { main: 'dist/src/cli/main.js', ...WORKERS },
  packages: 'external',
  plugins: [useSdkBundle],
});

await build({
  ...COMMON,
  entryPoints: { [SDK_BUNDLE]: AZURE_SDK },
  // Some of the SDK's dependencies are CommonJS and require() node built-ins, which an ES module
  // has no `require` for: give the bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
chmodSync('dist/cli/main.js', 0o755);
// The unbundled entry stays runnable too: npx caches of this package made before the bundle link to it.
chmodSync('dist/src/cli/main.js', 0o755);
