/** Blob listing order: names compared as UTF-8 bytes (what Azure and the reference use). */

/**
 * Compares two strings by their UTF-8 encoding (= code point order) without encoding them. JS `<`
 * compares UTF-16 code units, which disagrees only where a surrogate (astral char) meets a BMP char
 * ≥ U+E000: the astral one is the larger code point. (Lone surrogates are not valid names; not handled.)
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}

/** Index of the first element of sorted `names` that is > `after` (or ≥ 0 when `after` is undefined). */
export function firstIndexAfter(names: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(names[mid], after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of sorted `names` that is ≥ `key`. */
export function lowerBound(names: readonly string[], key: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(names[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
