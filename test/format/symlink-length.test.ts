import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkLength } from '../../src/format/index.js';

const b = (...x: number[]) => Uint8Array.from(x);
const len = (t: Uint8Array) => Number(symlinkLength(t));

test('symlink length counts characters as Python decodes them (§10.1)', () => {
  assert.equal(len(Buffer.from('small.txt')), 9);
  assert.equal(len(Buffer.from('tést/ü')), 6, 'spec example: 8 bytes, 6 characters');
  assert.equal(len(Buffer.from('../ünïcødé-dîr/файл-ファイル-🚀.txt')), 30, 'fixture basic: 30 characters');
  assert.equal(len(Buffer.from('🚀')), 1);
});

test('each byte of an invalid sequence counts as one (surrogateescape)', () => {
  assert.equal(len(b(0xff)), 1);
  assert.equal(len(b(0x61, 0xff, 0xfe, 0x62)), 4);
  assert.equal(len(b(0x61, 0xff, 0xc3)), 3, 'truncated 2-byte sequence at the end');
  assert.equal(len(b(0xe2, 0x82)), 2, 'truncated 3-byte sequence');
  assert.equal(len(b(0xe2, 0x82, 0x41)), 3, 'broken by an ASCII byte');
  assert.equal(len(b(0xc0, 0x80)), 2, 'overlong encoding is invalid');
  assert.equal(len(b(0xe0, 0x80, 0x80)), 3, 'overlong 3-byte encoding is invalid');
  assert.equal(len(b(0xed, 0xa0, 0x80)), 3, 'UTF-16 surrogate is invalid in UTF-8');
  assert.equal(len(b(0xf4, 0x90, 0x80, 0x80)), 4, 'beyond U+10FFFF is invalid');
});
