/**
 * Reusable buffers for full 8 MiB file segments. A segment is read straight into its blob
 * buffer (format/segment-frame.ts); reusing the buffers spares a fresh 8 MiB allocation per
 * segment, whose page faults and external-memory GC pressure cost more than the copy itself.
 */
import { FILE_SEGMENT_BYTES } from '../format/constants.js';

/** A full segment blob: 8 MiB of data plus envelope, handle headers, padding and DATABACK. */
export const SEGMENT_BUFFER_BYTES = FILE_SEGMENT_BYTES + 512;

export class SegmentBuffers {
  private readonly free: Buffer[] = [];

  /** `keep`: buffers kept for reuse; callers bound how many are out at once (the memory budget). */
  constructor(private readonly keep: number) {}

  /** The size of the buffer take(bytes) returns: pooled for (nearly) full segments, exact otherwise. */
  sizeFor(bytes: number): number {
    return bytes > SEGMENT_BUFFER_BYTES || bytes < SEGMENT_BUFFER_BYTES / 2 ? bytes : SEGMENT_BUFFER_BYTES;
  }

  /** A buffer of sizeFor(bytes) bytes (contents undefined). */
  take(bytes: number): Buffer {
    const size = this.sizeFor(bytes);
    if (size !== SEGMENT_BUFFER_BYTES) return Buffer.allocUnsafe(size);
    return this.free.pop() ?? Buffer.allocUnsafeSlow(SEGMENT_BUFFER_BYTES);
  }

  /** Returns a buffer once nothing refers to it any more (its put has settled). */
  give(buf: Buffer): void {
    if (buf.length === SEGMENT_BUFFER_BYTES && this.free.length < this.keep) this.free.push(buf);
  }

  get pooled(): number {
    return this.free.length;
  }
}
