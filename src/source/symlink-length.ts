/** The VATTR length of a symlink (§10.1): characters as Python decodes them, not bytes. */

/**
 * Counts each valid UTF-8 sequence as one and each byte that belongs to no valid sequence
 * as one (Python's surrogateescape). TextDecoder would merge invalid runs, hence by hand.
 */
export function symlinkLength(target: Uint8Array): number {
  let count = 0;
  let i = 0;
  while (i < target.length) {
    const n = validSequenceLength(target, i);
    i += n > 0 ? n : 1;
    count++;
  }
  return count;
}

function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let need: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
  else return 0;
  let cp = c & (0x3f >> need);
  for (let k = 1; k <= need; k++) {
    const x = b[i + k];
    if (x === undefined || (x & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (x & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return need + 1;
}
