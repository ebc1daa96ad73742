import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv0_32, hash64Hex, murmur2_32 } from '../../src/format/index.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

// Appendix A.1: [input, fnv0, murmur2]
const A1: [string, Uint8Array, string, string][] = [
  ['empty', new Uint8Array(0), '00000000', '69C2EB67'],
  ['a', ascii('a'), '00000061', '45FC3030'],
  ['ab', ascii('ab'), '610098D1', '23E72FFB'],
  ['abc', ascii('abc'), '84F09160', '95D8AF47'],
  ['abcd', ascii('abcd'), 'A6B4DA44', '339E626E'],
  ['hello world', ascii('hello world'), 'A73C7254', 'AF8E496E'],
  ['BUCKET', hex('00000000000000000000000000000063'), '00000063', '10A0AE41'],
  ['ROOT', hex('00000000000000000000000000000064'), '00000064', '57871C6B'],
  ['INPROGRESS', hex('00000000000000000000000000000062'), '00000062', 'BAE79F98'],
  ['ORPHAN', hex('00000000000000000000000000000066'), '00000066', '63F1233C'],
  ['null fh', new Uint8Array(24), '00000000', '87020A51'],
  ['P', hex('11cf8a4600010100e9030000000000008877665544332211'), 'F9B0DC2E', '090488AD'],
  ['F', hex('11cf8a4601010200ea03000000000000efcdab8967452301'), 'C03B0E4D', 'B547D190'],
  ['SEG', hex('00112233445566778899aabbccddeeff'), 'DDBA0060', 'D7772F16'],
];

const h32 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

test('A.1 hash vectors', () => {
  for (const [label, bytes, fnv, mm] of A1) {
    assert.equal(h32(fnv0_32(bytes)), fnv, `fnv0 ${label}`);
    assert.equal(h32(murmur2_32(bytes)), mm, `murmur2 ${label}`);
    assert.equal(hash64Hex(bytes), fnv + mm, `hash64 ${label}`);
  }
});

test('hashes are unsigned 32-bit', () => {
  for (const [, bytes] of A1) {
    for (const v of [fnv0_32(bytes), murmur2_32(bytes)]) {
      assert.ok(Number.isInteger(v) && v >= 0 && v <= 0xffffffff);
    }
  }
});
