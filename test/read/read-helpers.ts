/** Shared helpers of the reader tests: temp copies of fixtures, in-process CLI runs with captured output. */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import { outputs } from '../../src/cli/output-stream.js';
import { referenceDir } from '../helpers/paths.js';

export interface ManifestEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink' | 'fifo' | 'chr' | 'blk' | 'sock';
  mode: string;
  uid: number;
  gid: number;
  size: number | null;
  sha256: string | null;
  target: string | null;
  rdev: [number, number] | null;
  mtime: number;
  mtime_ns: number;
  nlink: number;
  hardlink_group: string | null;
}

export function readManifest(variant: string): { preserve_hardlinks: number; entries: ManifestEntry[] } {
  return JSON.parse(readFileSync(path.join(referenceDir, variant, 'manifest.json'), 'utf8'));
}

export function fixtureContainer(variant: string): string {
  return path.join(referenceDir, variant, 'container');
}

/** A fresh temp directory; removed by the returned cleanup. */
export function tempDir(prefix = 'clfs-read-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies a fixture container to a temp dir (tests never modify ../shared). */
export function copyFixture(variant: string): { dir: string; cleanup: () => void } {
  const t = tempDir(`clfs-${variant}-`);
  const dir = path.join(t.dir, 'container');
  cpSync(fixtureContainer(variant), dir, { recursive: true });
  return { dir, cleanup: t.cleanup };
}

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

let running = Promise.resolve();

/** A Writable collecting everything written to it. */
function collector(): { stream: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, chunks };
}

/**
 * Runs the CLI in-process, capturing the read commands' stdout (bytes) and stderr. Runs are
 * serialized. process.stdout is left alone (node:test reports through it); process.stderr is
 * patched only for runCli's own one-line error messages.
 */
export function cli(argv: string[]): Promise<CliResult> {
  const run = async (): Promise<CliResult> => {
    const out = collector();
    const err = collector();
    const saved = { ...outputs };
    const origErr = process.stderr.write.bind(process.stderr);
    outputs.stdout = out.stream;
    outputs.stderr = err.stream;
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      err.chunks.push(Buffer.from(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const code = await runCli(argv);
      return { code, stdout: Buffer.concat(out.chunks), stderr: Buffer.concat(err.chunks).toString('utf8') };
    } finally {
      outputs.stdout = saved.stdout;
      outputs.stderr = saved.stderr;
      process.stderr.write = origErr;
    }
  };
  const p = running.then(run);
  running = p.then(() => undefined, () => undefined);
  return p;
}
