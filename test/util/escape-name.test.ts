/** The C-style name escaping of output.txt, problems.txt and the console: one line per name, reversible. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeName, escapeText, unescapeName } from '../../src/util/escape-name.js';
import { mulberry32 } from '../../src/util/seeded-random.js';

test('control characters, backslash, C1 and invalid UTF-8 are escaped; other text is unchanged', () => {
  assert.equal(escapeText('plain/ü/日本/😀 name.txt'), 'plain/ü/日本/😀 name.txt');
  assert.equal(escapeText('a\nb\tc\rd\\e'), 'a\\nb\\tc\\rd\\\\e');
  assert.equal(escapeText('esc\x1b[31m del\x7f nul\x00'), 'esc\\x1b[31m del\\x7f nul\\x00');
  assert.equal(escapeText('csi\u009b'), 'csi\\xc2\\x9b');
  assert.equal(escapeName(Buffer.from([0x61, 0xff, 0x62, 0xc3])), 'a\\xffb\\xc3');
  // a valid sequence after an invalid byte is kept whole
  assert.equal(escapeName(Buffer.from([0xe2, 0xc3, 0xa9])), '\\xe2é');
  // an escaped name never holds a line break
  assert.ok(!escapeName(Buffer.from('x\nINFO Load finished: Completed\r\n')).match(/[\r\n]/));
});

test('unescapeName(escapeName(b)) gives back the bytes, for random byte strings', () => {
  const rnd = mulberry32(23);
  for (let i = 0; i < 2000; i++) {
    const len = Math.floor(rnd() * 24);
    // bias towards the interesting bytes: controls, backslash, UTF-8 lead and continuation bytes
    const pool = [0x00, 0x0a, 0x09, 0x0d, 0x1b, 0x5c, 0x78, 0x7f, 0x80, 0x9b, 0xc2, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0xff];
    const bytes = Buffer.from(Array.from({ length: len }, () => (rnd() < 0.6 ? pool[Math.floor(rnd() * pool.length)] : Math.floor(rnd() * 256))));
    const escaped = escapeName(bytes);
    assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(escaped), `no control character left in ${JSON.stringify(escaped)}`); // eslint-disable-line no-control-regex
    assert.deepEqual(unescapeName(escaped), bytes, `round trip of ${bytes.toString('hex')}`);
  }
});

test('unescapeName refuses a malformed escape', () => {
  assert.throws(() => unescapeName('a\\q'), SyntaxError);
  assert.throws(() => unescapeName('a\\x4'), SyntaxError);
  assert.throws(() => unescapeName('a\\'), SyntaxError);
});
