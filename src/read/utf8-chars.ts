/**
 * Character count of a byte string as Python counts `os.readlink()` of a str path under a UTF-8
 * locale (surrogateescape): each valid UTF-8 sequence counts 1, each stray byte counts 1 (§10.1).
 */
export function pythonCharCount(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; n++) i += validSequenceLength(b, i) || 1;
  return n;
}

function cont(b: Uint8Array, i: number, lo = 0x80, hi = 0xbf): boolean {
  return i < b.length && b[i] >= lo && b[i] <= hi;
}

/** Length of the valid UTF-8 sequence starting at i, or 0 (RFC 3629: no overlongs, no surrogates). */
function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(b, i + 1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(b, i + 1, lo, hi) && cont(b, i + 2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(b, i + 1, lo, hi) && cont(b, i + 2) && cont(b, i + 3) ? 4 : 0;
  }
  return 0;
}
