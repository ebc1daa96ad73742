/**
 * Bundles the raw-upload program (dist/bench/raw-upload-main.js) the way scripts/bundle-cli.mjs
 * bundles the CLI: one ES module whose `@azure/storage-blob` import is the CLI's own SDK bundle
 * (dist/cli/azure-sdk.js beside the measured CLI entry). Both sides then pay the same start-up
 * to their first PUT; from node_modules the SDK is ~270 modules and 150-200 ms to import.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** The SDK bundle the CLI at `cliEntry` imports (scripts/bundle-cli.mjs SDK_BUNDLE). */
export function sdkBundleBeside(cliEntry: string): string {
  return path.join(path.dirname(cliEntry), 'azure-sdk.js');
}

/** Writes `outFile` (.mjs) from `mainJs`; the SDK import resolves to `sdkBundle` (absolute). */
export async function bundleRawUpload(mainJs: string, sdkBundle: string, outFile: string): Promise<void> {
  if (!existsSync(sdkBundle)) throw new Error(`${sdkBundle} is missing: the raw upload must load the SDK bundle the CLI loads (npm run build)`);
  await build({
    entryPoints: [mainJs],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [{
      name: 'use-sdk-bundle',
      setup(b) {
        b.onResolve({ filter: /^@azure\/storage-blob$/ }, () => ({ path: sdkBundle, external: true }));
      },
    }],
  });
}
