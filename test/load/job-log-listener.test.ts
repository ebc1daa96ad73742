/** The job log outlives a failing listener (the console): it drops it, notes why, and keeps every line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobLog } from '../../src/load/job-log.js';

test('a listener that throws is dropped once, noted in output.txt, and the others keep hearing', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-joblog-listener-'));
  try {
    const log = new JobLog(dir, 'INFO');
    let calls = 0;
    log.onLine(() => {
      calls++;
      if (calls >= 2) throw new Error('cannot write to standard output: EPIPE\nsecond line');
    });
    const heard: string[] = [];
    log.onLine((_level, m) => heard.push(m));
    log.info('one');
    log.info('two');
    log.info('three');
    log.close();
    assert.equal(calls, 2, 'not called again after it threw');
    assert.deepEqual(heard, ['one', 'two', 'three']);
    const lines = readFileSync(path.join(dir, 'output.txt'), 'utf8').trimEnd().split('\n').map((l) => l.replace(/^\S+ /, ''));
    assert.deepEqual(lines, [
      'INFO one',
      'INFO two',
      'WARNING console output lost (cannot write to standard output: EPIPE\\nsecond line): the load goes on and logs to this file only',
      'INFO three',
      'WARNING the console was lost during this run (cannot write to standard output: EPIPE\\nsecond line); this file holds the complete log',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
