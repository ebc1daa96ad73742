/** Helpers shared by the reliability tests: temp dirs, CLI runs, verify/export checks, the chaos preload. */
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { runCli, type CliResult } from '../helpers/load-run.js';
import { compareTrees, snapshotTree, type CompareOptions } from '../helpers/tree.js';
import { repoRoot } from '../helpers/paths.js';

export { runCli, type CliResult };

/** A fresh temp dir; `cleanup` removes it. `owner` chowns it (for tests run as another user). */
export function tempDir(prefix: string, owner?: number): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `clfs-rel-${prefix}-`));
  if (owner !== undefined) chownSync(dir, owner, owner);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The built chaos preload: beside this file when running from dist, else in dist (tsx runs the .ts). */
export const chaosPreload = (() => {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.js')
    ? path.join(path.dirname(here), 'chaos-preload.js')
    : path.join(repoRoot, 'dist', 'test', 'reliability', 'chaos-preload.js');
})();

/** Environment for a CLI child that loads the chaos preload with these settings. */
export function chaosEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { ...vars, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${chaosPreload}`.trim() };
}

/** The object of type `final` among JSON output lines. */
export function finalJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const f = objs.find((o) => o.type === 'final');
  assert.ok(f, `no final JSON line in: ${stdout}`);
  return f;
}

export interface VerifyOutcome {
  code: number | null;
  report: { ok: boolean; errors: number; warnings: number; codes: Record<string, number>; findings: { severity: string; code: string; blob?: string; path?: string; message: string }[] };
}

export async function verify(dest: string): Promise<VerifyOutcome> {
  const r = await runCli(['verify', dest, '--output-type', 'json']);
  assert.ok(r.stdout.trim().startsWith('{'), `verify printed no JSON: ${r.stdout}${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) };
}

/** verify exits 0 and finds nothing at all (no error, no orphan or stale blob). */
export async function assertVerifyClean(dest: string): Promise<void> {
  const v = await verify(dest);
  assert.deepEqual(v.report.findings, [], 'verify finds nothing');
  assert.equal(v.code, 0);
}

/** Exports `dest` into a new dir under `tmp` and compares it with `src`; returns the export dir. */
export async function assertExportEquals(dest: string, src: string, tmp: string, opts: CompareOptions = {}): Promise<string> {
  const out = mkdtempSync(path.join(tmp, 'export-'));
  rmSync(out, { recursive: true });
  const r = await runCli(['export', dest, out]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // 2 µs: the container holds ns through a double (§6.3, up to ~240 ns low at today's epoch) and
  // export sets whole µs (floor), so arbitrary ns mtimes come back up to ~1.24 µs early.
  assert.deepEqual(compareTrees(snapshotTree(src), snapshotTree(out), { mayLack: ['sock'], mtimeToleranceNs: 2000n, ...opts }), []);
  return out;
}

/** Runs the CLI as the unprivileged user 65534 (CI runs as root, which reads anything). */
export const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
export const NOBODY = 65534;

/** Adds `n` small files of varied sizes (some past the 16 KiB inline part) under `dir`, in subdirs of 50. */
export function addSmallFiles(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `many-${Math.floor(i / 50)}`);
    if (i % 50 === 0) mkdirSync(sub, { recursive: true });
    const size = i % 17 === 0 ? 20000 + i : (i * 37) % 3000;
    writeFileSync(path.join(sub, `f${i}.dat`), Buffer.alloc(size, `file ${i} `));
  }
}
