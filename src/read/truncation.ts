/**
 * Tells a cut-off payload from a corrupt one: the codec reports a handle whose declared size runs
 * past the end as a bad handle; for verify that is a truncated blob (a partial upload or copy).
 */
import { HANDLE_HEADER_BYTES, HANDLE_MAGIC } from '../format/index.js';

/** True when walking the handle headers (§6) runs past the end of `payload` with all headers valid so far. */
export function payloadLooksTruncated(payload: Uint8Array): boolean {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let off = 0;
  while (off < payload.length) {
    if (payload.length - off < HANDLE_HEADER_BYTES) return true;
    if (dv.getUint32(off, true) !== HANDLE_MAGIC) return false;
    const blobCount = dv.getUint32(off + 4, true);
    const realCount = dv.getUint32(off + 8, true);
    if (blobCount !== ((HANDLE_HEADER_BYTES + realCount + 7) & ~7)) return false;
    if (off + blobCount > payload.length) return true;
    off += blobCount;
  }
  return false;
}
