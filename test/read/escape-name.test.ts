/** escapeName: what ls prints for raw names (issue 23 item 14). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeName } from '../../src/read/escape-name.js';

const b = (...x: number[]): Uint8Array => new Uint8Array(x);
const s = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'utf8'));

test('printable names pass through unchanged', () => {
  for (const t of ['plain.txt', 'with space', '-leading', '*?[glob]', 'ünïcødé ✓', '😀 4-byte', 'e\u0301 combining', "quote'\"", '']) assert.equal(escapeName(s(t)), t);
});

test('controls, backslash, separators and bidi controls are escaped; invalid UTF-8 bytes become \\xHH', () => {
  const cases: [Uint8Array, string][] = [
    [s('a\nb'), 'a\\nb'], [s('a\tb\r'), 'a\\tb\\r'], [s('\x1b[2J'), '\\x1b[2J'], [s('\x00\x7f'), '\\x00\\x7f'], [s('a\\n'), 'a\\\\n'],
    [s('\u0085\u009b'), '\\u0085\\u009b'], [s('\u2028\u2029'), '\\u2028\\u2029'], [s('\u202e\u2066\u200f'), '\\u202e\\u2066\\u200f'],
    [b(0xff), '\\xff'], [b(0xc3), '\\xc3'], [b(0xc0, 0xaf), '\\xc0\\xaf'] /* overlong "/" */, [b(0xed, 0xa0, 0x80), '\\xed\\xa0\\x80'] /* a surrogate */,
    [b(0xf4, 0x90, 0x80, 0x80), '\\xf4\\x90\\x80\\x80'] /* over U+10FFFF */, [b(0xe2, 0x82), '\\xe2\\x82'] /* cut short */, [b(0x61, 0xe2, 0x82, 0xac, 0xff), 'a€\\xff'],
  ];
  for (const [raw, want] of cases) assert.equal(escapeName(raw), want, Buffer.from(raw).toString('hex'));
});

test('the mapping is one-to-one: distinct names never print alike', () => {
  const names = [s('a\nb'), s('a\\nb'), b(0x61, 0x0a, 0x62), s('a\u0085'), b(0x61, 0x85), s('a\\x85'), s('a\\u0085')];
  const shown = names.map(escapeName);
  assert.equal(new Set(shown.slice(1)).size, shown.length - 1); // names[0] and names[2] are the same bytes
  assert.equal(shown[0], shown[2]);
});
