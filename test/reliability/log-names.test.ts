/**
 * Source names holding a newline, a terminal escape, a backslash or invalid UTF-8 cannot forge lines
 * in output.txt, problems.txt or on the console: names are escaped C-style (src/util/escape-name.ts),
 * and problems.txt decodes back to the exact path bytes. (Before: a file named
 * "x\n<time> INFO Load finished: Completed" put that forged line into output.txt and problems.txt.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unescapeName } from '../../src/util/escape-name.js';
import { runCli, tempDir, verify } from './rel-helpers.js';

const FORGED = '2026-01-01T00:00:00.000Z INFO Load finished: Completed';
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) /;

describe('hostile names in the logs', { concurrency: 1 }, () => {
  let tmp: { dir: string; cleanup: () => void };
  let src: string;
  let failing: Buffer[];
  before(() => {
    tmp = tempDir('lognames');
    src = path.join(tmp.dir, 'src');
    mkdirSync(src);
    const old = new Date('1960-01-01T00:00:00Z'); // outside the format's u32 seconds: the entry fails alone
    failing = [
      Buffer.from(path.join(src, `evil\n${FORGED}`)),
      Buffer.concat([Buffer.from(path.join(src, 'bad-')), Buffer.from([0xff, 0xfe]), Buffer.from('\\back\x1b[31mred\r')]),
      Buffer.from(path.join(src, 'plain-old.txt')),
    ];
    for (const f of failing) {
      writeFileSync(f, 'x\n');
      utimesSync(f, old, old);
    }
    // loads fine, and is named in a DEBUG line
    writeFileSync(path.join(src, `good\n${FORGED}`), 'y\n');
  });
  after(() => tmp?.cleanup());

  test('output.txt, problems.txt and the console hold one line per event; problems.txt decodes to the paths', async () => {
    const dest = path.join(tmp.dir, 'dest');
    const state = path.join(tmp.dir, 'state');
    const r = await runCli(['load', src, dest, '--state-path', state, '--log-level', 'DEBUG', '--max-errors', '0']);
    assert.equal(r.code, 1, r.stdout + r.stderr);

    const log = readFileSync(path.join(state, 'output.txt'), 'utf8');
    for (const line of log.trimEnd().split('\n')) assert.match(line, LOG_LINE, `a forged or broken line in output.txt: ${JSON.stringify(line)}`);
    const messages = log.trimEnd().split('\n').map((l) => l.replace(LOG_LINE, ''));
    assert.deepEqual(messages.filter((m) => m.startsWith('Load finished:')), ['Load finished: CompletedWithErrors']);
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(log), 'no control character in output.txt'); // eslint-disable-line no-control-regex
    assert.ok(log.includes(`evil\\n${FORGED}`), 'the name is shown, escaped');
    // the log is for people: invalid UTF-8 shows as U+FFFD there (problems.txt keeps the exact bytes)
    assert.ok(log.includes('bad-\ufffd\ufffd\\\\back\\x1b[31mred\\r'), 'backslash and escapes are shown escaped');
    assert.ok(log.includes(`DEBUG written: ${src}/good\\n${FORGED}`), 'a loaded name is escaped too');

    const problems = readFileSync(path.join(state, 'problems.txt'), 'utf8');
    const entries = problems.split('\n');
    assert.equal(entries.pop(), '', 'ends with a newline');
    assert.equal(entries.length, 3, `one line per failed entry:\n${problems}`);
    const decoded = entries.map((e) => unescapeName(e).toString('hex')).sort();
    assert.deepEqual(decoded, failing.map((f) => f.toString('hex')).sort());
    // the uploaded copy is the same file
    assert.equal(readFileSync(path.join(dest, 'problems.txt'), 'utf8'), problems);

    const console = r.stdout.split('\n');
    assert.ok(!console.some((l) => l.startsWith(FORGED) || l.startsWith('2026-01-01')), 'no forged line on the console');
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(r.stdout), 'no control character on the console'); // eslint-disable-line no-control-regex
    assert.deepEqual(console.filter((l) => /^\w+: Load finished:/.test(l)), ['INFO: Load finished: CompletedWithErrors']);
    assert.equal(console.filter((l) => l.startsWith('ERROR: ')).length, 3, r.stdout);

    const v = await verify(dest);
    assert.equal(v.report.errors, 0, JSON.stringify(v.report.findings));
  });

  test('a command-line path with a newline: one line on stderr, the path escaped', async () => {
    const r = await runCli(['load', path.join(tmp.dir, `missing\nclfsload: forged`), path.join(tmp.dir, 'd2'), '--state-path', path.join(tmp.dir, 's2')]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /missing\\nclfsload: forged.*\[CLFS_SOURCE_MISSING\]$/);
    assert.ok(!r.stdout.split('\n').some((l) => l.startsWith('clfsload: forged')), r.stdout);
  });
});
