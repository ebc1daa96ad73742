/**
 * Names as a terminal may safely show them. A container's names are raw bytes: a newline would
 * forge a listing line, an ESC sequence would drive the terminal. Printable UTF-8 passes through;
 * a backslash becomes `\\`; \n \t \r are C-style; other C0 controls and DEL `\xHH`; C1 controls,
 * line/paragraph separators and bidi controls `\uHHHH`; bytes that are not valid UTF-8 `\xHH`
 * (≥ 0x80, so never confused with a control). The mapping is one-to-one: a name can be told back.
 * Written by hand: Node's util.inspect/JSON.stringify quote the whole string and lose invalid bytes.
 */

const C_ESCAPES: Record<number, string> = { 0x5c: '\\\\', 0x0a: '\\n', 0x09: '\\t', 0x0d: '\\r' };

/** Code points shown escaped besides C0/DEL (handled per byte): C1, U+2028/9, bidi controls. */
function escapedCodePoint(cp: number): boolean {
  return (cp >= 0x80 && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || cp === 0x061c || cp === 0x200e || cp === 0x200f
    || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

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

/** The escaped, printable form of a raw name (see the file comment). */
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

/** The escaped form of a name given as a JS string (a path component the user typed). */
export function escapeText(s: string): string {
  return escapeName(new Uint8Array(Buffer.from(s, 'utf8')));
}
