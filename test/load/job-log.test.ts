import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobLog } from '../../src/load/job-log.js';

test('the job log keeps lines at or above its level, scrubs SAS values, and says which levels it keeps', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clfs-joblog-'));
  try {
    const log = new JobLog(dir, 'INFO');
    const heard: string[] = [];
    log.onLine((level, m) => heard.push(`${level} ${m}`));
    assert.equal(log.enabled('DEBUG'), false);
    assert.equal(log.enabled('INFO'), true);
    assert.equal(log.enabled('ERROR'), true);
    log.debug('not kept');
    log.info('kept https://a.blob.core.windows.net/c?sv=2020&sig=SECRET');
    log.error('also kept');
    log.close();
    const text = readFileSync(path.join(dir, 'output.txt'), 'utf8');
    assert.ok(!text.includes('not kept') && !text.includes('SECRET'), text);
    assert.match(text, /INFO kept https:\/\/a\.blob\.core\.windows\.net\/c\?<redacted>/);
    assert.match(text, /ERROR also kept/);
    assert.deepEqual(heard.map((l) => l.split(' ')[0]), ['INFO', 'ERROR']);
    const debug = new JobLog(dir, 'DEBUG');
    assert.equal(debug.enabled('DEBUG'), true);
    debug.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
