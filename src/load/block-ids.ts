/**
 * Deterministic segment and indirect-block ids. The reference draws random UUIDs, so a file
 * re-sent after a crash leaves its first attempt's blobs behind as garbage. Deriving the id
 * from (containerId, owner filehandle, kind, index) makes a retry overwrite the same names.
 */
import { createHash } from 'node:crypto';

export type BlockKind = 'file-segment' | 'dir-segment' | 'indirect';

/** A UUID-v4-shaped 16-byte id: SHA-256(containerId ‖ owner ‖ kind ‖ index) with v4 bits set. */
export function blockUuid(containerId: number, owner: Uint8Array, kind: BlockKind, index: number): Uint8Array {
  const h = createHash('sha256');
  h.update(`clfsload:${containerId}:${kind}:${index}:`);
  h.update(owner);
  const b = new Uint8Array(h.digest().subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return b;
}

/** Makes the `newId` callback for a BlockMapBuilder: indirect blocks numbered in creation order. */
export function indirectIdSource(containerId: number, owner: Uint8Array): { next: () => Uint8Array; count: () => number } {
  let n = 0;
  return { next: () => blockUuid(containerId, owner, 'indirect', n++), count: () => n };
}
