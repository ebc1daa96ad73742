/**
 * Names as line-oriented text (output.txt, problems.txt, the console, ls, verify, export) may show
 * them: no name can end a line early, forge one, drive the terminal or reorder what is shown.
 * Reversible and one-to-one: `unescapeName(escapeName(b))` equals `b`.
 *
 *   `\`                                  -> `\\`
 *   newline, tab, carriage return        -> `\n` `\t` `\r`
 *   other C0 controls (0x00-0x1f), DEL   -> `\xNN` (two lowercase hex digits)
 *   C1 controls (U+0080-U+009F), U+2028/U+2029 (line/paragraph separators) and bidi controls
 *   (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069) -> `\uHHHH` (four lowercase hex digits)
 *   every byte that is not part of valid UTF-8 -> `\xNN` (always >= 0x80, so never a control)
 *   everything else (printable ASCII, valid UTF-8) -> itself
 *
 * Written by hand: no dependency does this byte-exact, reversible form (JSON and util.inspect
 * quote the whole string and lose invalid UTF-8).
 */

const C_ESCAPES: Record<number, string> = { 0x5c: '\\\\', 0x0a: '\\n', 0x09: '\\t', 0x0d: '\\r' };

/** Code points shown as `\uHHHH` (C0 and DEL are handled per byte): C1, U+2028/9, bidi controls. */
function escapedCodePoint(cp: number): boolean {
  return (cp >= 0x80 && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || cp === 0x061c || cp === 0x200e || cp === 0x200f
    || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

// the same set as a string test, for the fast path of escapeText (every log line goes through it)
const NEEDS_ESCAPE = /[\x00-\x1f\x7f-\x9f\\\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/; // eslint-disable-line no-control-regex

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Length of the valid UTF-8 sequence (2–4 bytes) starting at `i`, with its code point, or undefined. */
function utf8Sequence(b: Uint8Array, i: number): { len: number; cp: number } | undefined {
  const x = b[i];
  const cont = (k: number): number => (i + k < b.length && (b[i + k] & 0xc0) === 0x80 ? b[i + k] & 0x3f : -1);
  if (x >= 0xc2 && x <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? undefined : { len: 2, cp: ((x & 0x1f) << 6) | c1 };
  }
  if (x >= 0xe0 && x <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return undefined;
    const cp = ((x & 0x0f) << 12) | (c1 << 6) | c2;
    return cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) ? undefined : { len: 3, cp };
  }
  if (x >= 0xf0 && x <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return undefined;
    const cp = ((x & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    return cp < 0x10000 || cp > 0x10ffff ? undefined : { len: 4, cp };
  }
  return undefined;
}

/** True when every byte is printable ASCII other than a backslash (the common case: no work). */
function plainAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] < 0x20 || b[i] > 0x7e || b[i] === 0x5c) return false;
  return true;
}

/** The escaped, printable form of raw name bytes (any bytes, not necessarily UTF-8). */
export function escapeName(b: Uint8Array): string {
  if (plainAscii(b)) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  let out = '';
  for (let i = 0; i < b.length;) {
    const x = b[i];
    if (x < 0x80) {
      out += C_ESCAPES[x] ?? (x < 0x20 || x === 0x7f ? `\\x${hex2(x)}` : String.fromCharCode(x));
      i++;
      continue;
    }
    const seq = utf8Sequence(b, i);
    if (!seq) {
      out += `\\x${hex2(x)}`;
      i++;
      continue;
    }
    out += escapedCodePoint(seq.cp) ? `\\u${seq.cp.toString(16).padStart(4, '0')}` : String.fromCodePoint(seq.cp);
    i += seq.len;
  }
  return out;
}

/**
 * The escaped form of text (a decoded name, a path the user typed, a log line). A lone surrogate
 * cannot be written as UTF-8: it becomes U+FFFD, as any UTF-8 output of it would.
 */
export function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? escapeName(new Uint8Array(Buffer.from(s, 'utf8'))) : s;
}

/** The inverse of escapeName: the raw bytes. Throws SyntaxError on a malformed escape. */
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
    } else if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      const cp = parseInt(s.slice(i + 1, i + 5), 16);
      // only what escapeName writes this way; anything else would not round-trip one-to-one
      if (!escapedCodePoint(cp)) throw new SyntaxError(`bad escape at offset ${i - 1} in ${JSON.stringify(s)}`);
      plain += String.fromCodePoint(cp);
      i += 4;
    } else throw new SyntaxError(`bad escape at offset ${i - 1} in ${JSON.stringify(s)}`);
  }
  flush();
  return Buffer.concat(parts);
}
