/**
 * C-style escaping of names for line-oriented text (output.txt, problems.txt, the console), so that
 * no name can end a line early or forge one. Reversible: `unescapeName(escapeName(b))` equals `b`.
 *
 *   `\`           -> `\\`
 *   newline, tab, carriage return -> `\n` `\t` `\r`
 *   other control bytes (0x00-0x1f, 0x7f), C1 controls (U+0080-U+009F, as their two UTF-8 bytes)
 *   and every byte that is not part of valid UTF-8 -> `\xNN` (two lowercase hex digits)
 *   everything else (printable ASCII, valid UTF-8) -> itself
 *
 * Written by hand: no dependency does this byte-exact, reversible form (JSON and util.inspect
 * lose invalid UTF-8).
 */
import { isUtf8 } from 'node:buffer';

// what needs escaping in a string: C0, DEL, C1, and the backslash
const NEEDS_ESCAPE = /[\x00-\x1f\x7f-\x9f\\]/; // eslint-disable-line no-control-regex
const NEEDS_ESCAPE_ALL = /[\x00-\x1f\x7f-\x9f\\]/g; // eslint-disable-line no-control-regex

const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

function escapeChar(c: string): string {
  switch (c) {
    case '\\': return '\\\\';
    case '\n': return '\\n';
    case '\t': return '\\t';
    case '\r': return '\\r';
  }
  const code = c.charCodeAt(0);
  // a C1 control is two bytes in UTF-8 (0xc2 0x80-0x9f): escape both, so decoding gives them back
  return code >= 0x80 ? hex(0xc2) + hex(code) : hex(code);
}

/** Escapes a string (already decoded text, e.g. a log line): see the module comment. */
export function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(NEEDS_ESCAPE_ALL, escapeChar) : s;
}

/** The length of the UTF-8 sequence a lead byte announces (0: not a lead byte). */
function seqLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** Escapes raw name bytes (any bytes, not necessarily UTF-8): see the module comment. */
export function escapeName(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return escapeText(buf.toString('utf8'));
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = seqLength(buf[i]);
    if (n > 0 && i + n <= buf.length && isUtf8(buf.subarray(i, i + n))) {
      out += escapeText(buf.toString('utf8', i, i + n));
      i += n;
    } else {
      out += hex(buf[i]);
      i++;
    }
  }
  return out;
}

/** The inverse of escapeName: the raw bytes. Throws on a malformed escape. */
export function unescapeName(s: string): Buffer {
  const parts: Buffer[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain) parts.push(Buffer.from(plain, 'utf8'));
    plain = '';
  };
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      plain += s[i];
      continue;
    }
    const c = s[++i];
    if (c === '\\') plain += '\\';
    else if (c === 'n') plain += '\n';
    else if (c === 't') plain += '\t';
    else if (c === 'r') plain += '\r';
    else if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      flush();
      parts.push(Buffer.from([parseInt(s.slice(i + 1, i + 3), 16)]));
      i += 2;
    } else throw new SyntaxError(`bad escape at offset ${i - 1} in ${JSON.stringify(s)}`);
  }
  flush();
  return Buffer.concat(parts);
}
