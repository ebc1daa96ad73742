/** Locations the tests need: the repo root and the shared fixtures beside it. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

/** The repository root (works from test/ under tsx and from dist/test/ after tsc). */
export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
/** ../shared beside the repo, or $CLFS_SHARED. */
export const sharedDir = process.env.CLFS_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const fixturesDir = path.join(sharedDir, 'fixtures');
export const referenceDir = path.join(fixturesDir, 'reference');
export const makeTreeScript = path.join(fixturesDir, 'make-tree.sh');
/** The built CLI as bin/clfsload runs it: the bundle (scripts/bundle-cli.mjs); npm test builds it first. */
export const cliEntry = path.join(repoRoot, 'dist', 'cli', 'main.js');
/** The variants of the reference fixtures. */
export const referenceVariants = ['basic', 'basic-nocompress', 'bigdir', 'bigfile', 'hardlinks-nopreserve', 'hardlinks-preserve', 'special'] as const;
