/**
 * verify's text report, export's issue lines and cat's errors print a container's names escaped
 * (issue 23 items 14/15: the one escaper of src/util/escape-name.ts): a newline cannot forge a
 * report line, an ESC sequence or a bidi override cannot reach the terminal. JSON keeps the exact
 * strings (JSON escapes control characters itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cli, tempDir } from '../read/read-helpers.js';
import { chainContainer, storeToDir } from '../read/synthetic.js';
import type { VerifyReport } from '../../src/read/verify.js';
import type { ExportResult } from '../../src/read/export.js';

const raw = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

// raw C0 (but the line's own newline), DEL, C1, U+2028/9, bidi controls
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

const NEWLINE = 'evil\nOK: no errors, 0 warning(s)';
const ESC = '\x1b[2J\x1b[31mred';
const BIDI = 'report\u202Etxt.exe';
const SLASH = 'sl/ash\n\u2028\x1b]0;title\x07';

function assertClean(text: string, what: string): void {
  const bad = UNSAFE.exec(text);
  assert.equal(bad, null, `${what}: raw U+${bad?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} in ${JSON.stringify(text)}`);
}

async function hostileContainer(): Promise<{ dir: string; root: string; cleanup: () => void }> {
  const t = tempDir('clfs-names-');
  const dir = path.join(t.dir, 'container');
  // dangling entries: verify and export report them by path; SLASH is an unsafe name, reported in the message
  const extra = [NEWLINE, ESC, BIDI].map((n) => ({ name: raw(n), type: 'file' as const, dangling: true }));
  extra.push({ name: raw(SLASH), type: 'file' as const, dangling: false });
  await storeToDir((await chainContainer(1, { files: true, extra })).store, dir);
  return { dir, root: t.dir, cleanup: t.cleanup };
}

test('verify (text) prints hostile names escaped, one line each; the JSON report keeps the exact strings', async () => {
  const c = await hostileContainer();
  try {
    const r = await cli(['verify', c.dir]);
    assert.equal(r.code, 1);
    const out = r.stdout.toString('utf8');
    assertClean(out, 'verify stdout');
    assertClean(r.stderr, 'verify stderr');
    const lines = out.split('\n');
    for (const shown of ['evil\\nOK: no errors, 0 warning(s)', '\\x1b[2J\\x1b[31mred', 'report\\u202etxt.exe']) {
      assert.equal(lines.filter((l) => l === shown).length, 1, `one group line for ${shown}:\n${out}`);
    }
    assert.ok(lines.some((l) => l.includes('entry "sl/ash\\n\\u2028\\x1b]0;title\\x07": name contains "/"')), out);
    assert.deepEqual(lines.filter((l) => /^(OK|FAILED):/.test(l)).map((l) => l.split(':')[0]), ['FAILED'], 'no forged verdict line');

    const j = await cli(['verify', c.dir, '--output-type', 'json']);
    const report = JSON.parse(j.stdout.toString('utf8')) as VerifyReport;
    assert.deepEqual(report.findings.filter((f) => f.code === 'VERIFY_DANGLING').map((f) => f.path).sort(), [NEWLINE, ESC, BIDI].sort());
    assert.ok(report.findings.some((f) => f.code === 'VERIFY_BAD_ENTRY_NAME' && f.message.includes(`"${SLASH}"`)));
  } finally {
    c.cleanup();
  }
});

test('export prints one escaped line per issue; the JSON result keeps the exact paths', async () => {
  const c = await hostileContainer();
  try {
    const r = await cli(['export', c.dir, path.join(c.root, 'dest')]);
    assert.equal(r.code, 1);
    assertClean(r.stdout.toString('utf8'), 'export stdout');
    assertClean(r.stderr, 'export stderr');
    const issues = r.stderr.trimEnd().split('\n');
    for (const line of issues) assert.match(line, /^clfsload: (error|warning) [A-Z_]+: /);
    const errors = issues.filter((l) => l.startsWith('clfsload: error '));
    assert.equal(errors.length, 4, r.stderr);
    for (const shown of ['evil\\nOK: no errors, 0 warning(s)', '\\x1b[2J\\x1b[31mred', 'report\\u202etxt.exe']) {
      assert.equal(errors.filter((l) => l.startsWith(`clfsload: error EXPORT_READ_FAILED: ${shown}: `)).length, 1, `${shown}:\n${r.stderr}`);
    }
    assert.ok(errors.some((l) => l.startsWith('clfsload: error EXPORT_UNSAFE_NAME: /: entry "sl/ash\\n\\u2028\\x1b]0;title\\x07" skipped')), r.stderr);

    const j = await cli(['export', c.dir, path.join(c.root, 'dest-json'), '--output-type', 'json']);
    const result = JSON.parse(j.stdout.toString('utf8')) as ExportResult;
    assert.deepEqual(result.issues.filter((i) => i.code === 'EXPORT_READ_FAILED').map((i) => i.path).sort(), [NEWLINE, ESC, BIDI].sort());
  } finally {
    c.cleanup();
  }
});

test('cat of a hostile name prints one escaped error line', async () => {
  const c = await hostileContainer();
  try {
    for (const name of [NEWLINE, ESC, BIDI]) {
      const r = await cli(['cat', c.dir, name]);
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout.length, 0);
      assertClean(r.stderr, `cat ${JSON.stringify(name)} stderr`);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.match(r.stderr, /^clfsload: .* \[CLFS_[A-Z_]+\]\n$/);
    }
  } finally {
    c.cleanup();
  }
});
