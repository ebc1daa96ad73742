/**
 * The one name escaper (src/util/escape-name.ts) of output.txt, problems.txt, the console, ls, verify
 * and export: one line per name, nothing that drives or reorders a terminal, reversible.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeName, escapeText, unescapeName } from '../../src/util/escape-name.js';
import { mulberry32 } from '../../src/util/seeded-random.js';

const b = (...x: number[]): Uint8Array => new Uint8Array(x);
const s = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'utf8'));
// what must never appear in an escaped name: C0, DEL, C1, line/paragraph separators, bidi controls
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

test('printable names pass through unchanged', () => {
  for (const t of ['plain.txt', 'with space', '-leading', '*?[glob]', 'ünïcødé ✓', '😀 4-byte', 'e\u0301 combining', "quote'\"", '', 'plain/ü/日本/😀 name.txt']) {
    assert.equal(escapeName(s(t)), t);
    assert.equal(escapeText(t), t);
  }
});

test('controls, backslash, separators and bidi controls are escaped; invalid UTF-8 bytes become \\xHH', () => {
  const cases: [Uint8Array, string][] = [
    [s('a\nb'), 'a\\nb'], [s('a\tb\r'), 'a\\tb\\r'], [s('\x1b[2J'), '\\x1b[2J'], [s('\x00\x7f'), '\\x00\\x7f'], [s('a\\n'), 'a\\\\n'],
    [s('a\nb\tc\rd\\e'), 'a\\nb\\tc\\rd\\\\e'], [s('esc\x1b[31m del\x7f nul\x00'), 'esc\\x1b[31m del\\x7f nul\\x00'],
    [s('\u0085\u009b'), '\\u0085\\u009b'], [s('csi\u009b'), 'csi\\u009b'], [s('\u2028\u2029'), '\\u2028\\u2029'],
    [s('\u202e\u2066\u200f'), '\\u202e\\u2066\\u200f'], [s('\u061c\u200e\u202a\u202d\u2069'), '\\u061c\\u200e\\u202a\\u202d\\u2069'],
    [b(0xff), '\\xff'], [b(0xc3), '\\xc3'], [b(0xc0, 0xaf), '\\xc0\\xaf'] /* overlong "/" */, [b(0xed, 0xa0, 0x80), '\\xed\\xa0\\x80'] /* a surrogate */,
    [b(0xf4, 0x90, 0x80, 0x80), '\\xf4\\x90\\x80\\x80'] /* over U+10FFFF */, [b(0xe2, 0x82), '\\xe2\\x82'] /* cut short */, [b(0x61, 0xe2, 0x82, 0xac, 0xff), 'a€\\xff'],
    [b(0x61, 0xff, 0x62, 0xc3), 'a\\xffb\\xc3'], [b(0xe2, 0xc3, 0xa9), '\\xe2é'] /* a valid sequence after an invalid byte is kept whole */,
  ];
  for (const [raw, want] of cases) {
    assert.equal(escapeName(raw), want, Buffer.from(raw).toString('hex'));
    assert.deepEqual(unescapeName(want), Buffer.from(raw), `unescape ${want}`);
  }
  // escapeText escapes the same set from a decoded string
  assert.equal(escapeText('a\nb\tc\rd\\e'), 'a\\nb\\tc\\rd\\\\e');
  assert.equal(escapeText('csi\u009b rlo\u202e ls\u2028'), 'csi\\u009b rlo\\u202e ls\\u2028');
  // an escaped name never holds a line break
  assert.ok(!escapeName(Buffer.from('x\nINFO Load finished: Completed\r\n\u2028\u0085')).match(/[\r\n\u2028\u2029\u0085]/));
});

test('the mapping is one-to-one: distinct names never print alike', () => {
  const names = [s('a\nb'), s('a\\nb'), b(0x61, 0x0a, 0x62), s('a\u0085'), b(0x61, 0x85), s('a\\x85'), s('a\\u0085')];
  const shown = names.map(escapeName);
  assert.equal(new Set(shown.slice(1)).size, shown.length - 1); // names[0] and names[2] are the same bytes
  assert.equal(shown[0], shown[2]);
});

test('unescapeName(escapeName(b)) gives back the bytes, for random byte strings', () => {
  const rnd = mulberry32(23);
  // bias towards the interesting bytes: controls, backslash, 'x'/'u', UTF-8 lead and continuation
  // bytes, and the pieces of C1 (c2 85), U+2028 (e2 80 a8) and U+202E (e2 80 ae)
  const pool = [0x00, 0x0a, 0x09, 0x0d, 0x1b, 0x5c, 0x78, 0x75, 0x7f, 0x80, 0x85, 0x9b, 0xa8, 0xae, 0xc2, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0xff];
  for (let i = 0; i < 2000; i++) {
    const len = Math.floor(rnd() * 24);
    const bytes = Buffer.from(Array.from({ length: len }, () => (rnd() < 0.6 ? pool[Math.floor(rnd() * pool.length)] : Math.floor(rnd() * 256))));
    const escaped = escapeName(bytes);
    assert.ok(!UNSAFE.test(escaped), `no control character left in ${JSON.stringify(escaped)}`);
    assert.deepEqual(unescapeName(escaped), bytes, `round trip of ${bytes.toString('hex')}`);
  }
  // and every escaped code point, alone and inside text
  for (const cp of [0x80, 0x85, 0x9f, 0x61c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069]) {
    const raw = Buffer.from(`x${String.fromCodePoint(cp)}y`, 'utf8');
    assert.deepEqual(unescapeName(escapeName(raw)), raw);
  }
});

test('unescapeName refuses a malformed escape', () => {
  assert.throws(() => unescapeName('a\\q'), SyntaxError);
  assert.throws(() => unescapeName('a\\x4'), SyntaxError);
  assert.throws(() => unescapeName('a\\'), SyntaxError);
  assert.throws(() => unescapeName('a\\u20'), SyntaxError);
  assert.throws(() => unescapeName('a\\u0041'), SyntaxError); // escapeName never writes \u for 'A'
});
