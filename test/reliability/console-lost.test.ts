/**
 * A load whose console goes away (stdout read by `head -1`: EPIPE; stdout on a full disk: ENOSPC;
 * stderr closed too) keeps going and logs to output.txt only, noting there that the console was
 * lost. Before: a stack trace, the container left unfinished, output.txt cut short.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/load-run.js';
import { addSmallFiles, assertVerifyClean, tempDir } from './rel-helpers.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with stdout (and stderr) as given: 'pipe' ends are closed by this side after the
 * first chunk of stdout (`closeStdoutAfterFirstChunk`), and stderr at once (`closeStderr`).
 */
function run(args: string[], opts: { stdout: 'pipe' | number; closeStdoutAfterFirstChunk?: boolean; closeStderr?: boolean }): Promise<Run> {
  const stdio: StdioOptions = ['ignore', opts.stdout, 'pipe'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio });
    let stdout = '';
    let stderr = '';
    if (child.stdout) {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (opts.closeStdoutAfterFirstChunk) child.stdout!.destroy(); // as `head -1` does
      });
    }
    if (opts.closeStderr) child.stderr!.destroy();
    else child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** output.txt is whole: a DEBUG line per object written, the closing lines, and the note on the lost console. */
function assertLogComplete(state: string, reason: RegExp): void {
  const log = readFileSync(path.join(state, 'output.txt'), 'utf8');
  const totals = /Transfers: (\d+) total, (\d+) completed, 0 failed/.exec(log);
  assert.ok(totals, `no Transfers line in:\n${log}`);
  assert.equal(totals[1], totals[2]);
  const written = log.split('\n').filter((l) => / DEBUG written: /.test(l)).length;
  assert.equal(written, Number(totals[1]), 'one "written" line per object');
  assert.match(log, / INFO Load finished: Completed\n/);
  assert.match(log, new RegExp(` WARNING console output lost \\(.*${reason.source}.*\\): the load goes on and logs to this file only\\n`));
  const lines = log.trimEnd().split('\n');
  assert.match(lines.at(-1)!, new RegExp(` WARNING the console was lost during this run \\(.*${reason.source}.*\\); this file holds the complete log$`));
}

describe('a load whose console goes away completes, logging to output.txt', { concurrency: 1 }, () => {
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  before(() => {
    tmp = tempDir('console');
    src = path.join(tmp.dir, 'tree');
    mkdirSync(src);
    addSmallFiles(src, 300); // at DEBUG, a line per object: plenty written after the pipe is closed
  });
  after(() => tmp?.cleanup());
  const p = (name: string) => path.join(tmp.dir, name);

  test('stdout closed after the first line (load | head -1): EPIPE', async () => {
    const r = await run(['load', src, p('d-epipe'), '--state-path', p('s-epipe'), '--log-level', 'DEBUG'], { stdout: 'pipe', closeStdoutAfterFirstChunk: true });
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no stack trace, nothing on stderr');
    assertLogComplete(p('s-epipe'), /EPIPE/);
    await assertVerifyClean(p('d-epipe'));
  });

  test('stdout on a full disk (> /dev/full): ENOSPC', async () => {
    const full = openSync('/dev/full', 'w');
    let r: Run;
    try {
      r = await run(['load', src, p('d-full'), '--state-path', p('s-full'), '--log-level', 'DEBUG', '--output-type', 'json'], { stdout: full });
    } finally {
      closeSync(full);
    }
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no stack trace, nothing on stderr');
    assertLogComplete(p('s-full'), /ENOSPC/);
    await assertVerifyClean(p('d-full'));
  });

  test('stdout and stderr both closed (load |& head -1)', async () => {
    const r = await run(['load', src, p('d-both'), '--state-path', p('s-both'), '--log-level', 'DEBUG'], { stdout: 'pipe', closeStdoutAfterFirstChunk: true, closeStderr: true });
    assert.equal(r.signal, null);
    assert.equal(r.code, 0);
    assertLogComplete(p('s-both'), /EPIPE/);
    await assertVerifyClean(p('d-both'));
  });

  test('stderr closed when the load fails: the exit code still tells why (2), no crash', async () => {
    const dest = p('d-notempty');
    mkdirSync(dest);
    writeFileSync(path.join(dest, 'someone-elses-blob'), 'x');
    // as a script would run it, 2>&- aside: stderr is a pipe nobody reads any more
    const r = await run(['load', src, dest, '--state-path', p('s-notempty')], { stdout: 'pipe', closeStderr: true });
    assert.equal(r.signal, null);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(readFileSync(path.join(dest, 'someone-elses-blob'), 'utf8'), 'x');
  });
});
