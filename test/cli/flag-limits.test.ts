/**
 * Every numeric flag of every command is checked against its documented range (src/cli/parse-flags.ts):
 * out of range or not a number is exit 2 with one "is invalid" line naming the flag, before any work.
 * (Before: `verify --workers abc` checked nothing and exited 0 on a corrupt container; `--cap-mbps 1e-300`
 * disabled the cap.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli as runInProcess } from '../../src/cli/main.js';
import { runCli } from '../helpers/load-run.js';
import { makeTree } from '../helpers/tree.js';

/** Runs the CLI in this process (parsing fails before any action runs); returns the code and stderr. */
async function parse(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await runInProcess(args), stderr };
  } finally {
    process.stderr.write = write;
  }
}

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-flags-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const notCounts = ['abc', '', ' 8', '8 ', '1.5', '-1', '0x10', '1e2', '+3', 'Infinity', 'NaN', '9007199254740993'];

describe('numeric flags are refused out of range, with exit 2', () => {
  const cases: [string, string[], string[]][] = [
    ['verify --workers', ['verify', '/nonexistent-container'], [...notCounts, '0', '257', '100000', '1000000']],
    ['export --workers', ['export', '/nonexistent-container', '/nonexistent-dest'], [...notCounts, '0', '257', '100000', '1000000']],
    ['load --concurrency', ['load', '/nonexistent-src', '/nonexistent-dest', '--state-path', '/nonexistent-state'], [...notCounts, '0', '1025', '1000000']],
    ['load --max-errors', ['load', '/nonexistent-src', '/nonexistent-dest', '--state-path', '/nonexistent-state'], notCounts],
    ['load --cap-mbps', ['load', '/nonexistent-src', '/nonexistent-dest', '--state-path', '/nonexistent-state'],
      ['1e-300', '0.001', '0.0099', '0', '-5', '1000001', '1e309', 'abc', '', 'Infinity', 'NaN', '0x10', '1,5']],
  ];
  for (const [label, args, values] of cases) {
    const flag = label.split(' ')[1];
    test(`${label}: ${values.map((v) => JSON.stringify(v)).join(' ')}`, async () => {
      for (const v of values) {
        const r = await parse([...args, flag, v]);
        assert.equal(r.code, 2, `${label} ${JSON.stringify(v)}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`option '${flag} <n>' argument '.*' is invalid\\. expected a (whole )?number`), `${label} ${JSON.stringify(v)}`);
      }
    });
  }
});

describe('the limits themselves are accepted (spawned CLI)', { concurrency: 1 }, () => {
  let src: string;
  let dest: string;
  before(async () => {
    src = path.join(tmp, 'basic');
    makeTree('basic', src);
    dest = path.join(tmp, 'dest');
    const r = await runCli(['load', src, dest, '--state-path', path.join(tmp, 'state'), '--concurrency', '1024', '--max-errors', '9007199254740991', '--cap-mbps', '1000000']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('verify --workers 256 and 1 check the container; export --workers 256 writes it', async () => {
    for (const w of ['256', '1']) {
      const v = await runCli(['verify', dest, '--workers', w]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /^OK: no errors/m);
    }
    const out = path.join(tmp, 'export-256');
    const e = await runCli(['export', dest, out, '--workers', '256']);
    assert.equal(e.code, 0, e.stdout + e.stderr);
    assert.ok(readdirSync(out).length > 0, 'export wrote the tree');
  });

  test('load --cap-mbps 0.01 is accepted (dry run: nothing is written)', async () => {
    const r = await runCli(['load', src, path.join(tmp, 'dry-dest'), '--state-path', path.join(tmp, 'dry-state'), '--cap-mbps', '0.01', '--concurrency', '1', '--dry-run']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('verify --workers abc on a corrupt container: exit 2, nothing checked, nothing printed', async () => {
    const corrupt = path.join(tmp, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(path.join(corrupt, 'garbage'), 'not a blob');
    const r = await runCli(['verify', corrupt, '--workers', 'abc']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--workers <n>' argument 'abc' is invalid/);
  });

  test('export --workers abc: exit 2 and the destination is not created', async () => {
    const out = path.join(tmp, 'export-abc');
    const r = await runCli(['export', dest, out, '--workers', 'abc']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(existsSync(out), false);
  });
});
