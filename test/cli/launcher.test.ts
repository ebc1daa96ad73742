/** bin/clfsload, the launcher npm links as `clfsload`: node flags, the entry it starts, its arguments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NODE_FLAGS } from '../../src/cli/node-flags.js';
import { repoRoot } from '../helpers/paths.js';

const launcher = path.join(repoRoot, 'bin', 'clfsload');

/** Runs the launcher (through `via`) with a stand-in `node` first in PATH that prints its arguments. */
function argsGivenToNode(via: string, args: string[], nodeOptions?: string): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-launcher-'));
  try {
    writeFileSync(path.join(dir, 'node'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, NODE_OPTIONS: nodeOptions ?? '' };
    return execFileSync(via, args, { env, encoding: 'utf8' }).split('\n').slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('package.json links `clfsload` to the launcher, which is executable', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
  assert.equal(pkg.bin.clfsload, 'bin/clfsload');
  assert.ok(pkg.files.includes('bin'));
  assert.ok((statSync(launcher).mode & 0o111) !== 0, 'bin/clfsload is executable (git keeps the mode)');
});

test('the launcher starts the built entry with NODE_FLAGS and passes every argument as it came', () => {
  const entry = path.join(repoRoot, 'dist', 'cli', 'main.js');
  const args = ['load', 'a dir', '--state-path', '', "it's"];
  const given = argsGivenToNode(launcher, args);
  assert.deepEqual([...given.slice(0, NODE_FLAGS.length), path.resolve(given[NODE_FLAGS.length]), ...given.slice(NODE_FLAGS.length + 1)], [...NODE_FLAGS, entry, ...args]);
  // npm links it from node_modules/.bin: the entry is found beside the real file, not the link
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-link-'));
  try {
    symlinkSync(launcher, path.join(dir, 'clfsload'));
    const viaLink = argsGivenToNode(path.join(dir, 'clfsload'), ['--version']);
    assert.equal(path.resolve(viaLink[viaLink.length - 2]), entry);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a young-generation size in NODE_OPTIONS wins over the launcher\'s', () => {
  const given = argsGivenToNode(launcher, ['--version'], '--max-semi-space-size=32');
  assert.ok(!given.some((a) => a.includes('semi-space')), given.join(' '));
});

test('node accepts the flags: the real launcher runs the CLI', () => {
  const out = execFileSync(launcher, ['--version'], { encoding: 'utf8' });
  assert.match(out.trim(), /^\d+\.\d+\.\d+/);
});

test('the bundle has every worker module it starts beside it', () => {
  const dir = path.join(repoRoot, 'dist', 'cli');
  const code = readFileSync(path.join(dir, 'main.js'), 'utf8');
  const names = [...code.matchAll(/siblingWorkerUrl\(import\.meta\.url, "([^"]+)"\)/g)].map((m) => m[1]);
  assert.deepEqual(names.sort(), ['local-put-worker', 'source-worker']);
  for (const n of names) assert.ok(existsSync(path.join(dir, `${n}.js`)), `dist/cli/${n}.js (scripts/bundle-cli.mjs)`);
});

test('the bundle takes the Azure SDK from its own bundle beside it, which loads on its own', async () => {
  const dir = path.join(repoRoot, 'dist', 'cli');
  const code = readFileSync(path.join(dir, 'main.js'), 'utf8');
  assert.doesNotMatch(code, /["']@azure\/storage-blob["']/);
  assert.match(code, /import\("\.\/azure-sdk\.js"\)/);
  // the SDK's CommonJS dependencies need the bundle's `require` (scripts/bundle-cli.mjs)
  const sdk = (await import(pathToFileURL(path.join(dir, 'azure-sdk.js')).href)) as Record<string, unknown>;
  for (const name of ['ContainerClient', 'AnonymousCredential', 'newPipeline']) assert.equal(typeof sdk[name], 'function', name);
});
