/**
 * The largest stored blob a reader will fetch. The codec refuses payloads over 64 MiB after
 * decoding; checking the stored size first (listed or HEAD size, then the bytes received) keeps
 * a hostile or damaged blob from being read into memory whole (a 1.5 GB blob was 1.6 GB RSS).
 */
import { DEFAULT_MAX_PAYLOAD } from '../format/index.js';
import { FormatError } from '../errors.js';

/** 4-byte envelope + the payload cap + LZ4's worst-case growth (n/255 + frame headers, with room to spare). */
export const MAX_STORED_BLOB_BYTES = 4 + DEFAULT_MAX_PAYLOAD + Math.ceil(DEFAULT_MAX_PAYLOAD / 255) + 65536;

/** Throws CLFS_LIMIT naming the blob when `size` stored bytes cannot hold a CLFS object. */
export function checkStoredSize(name: string, size: number, what: string): void {
  if (size > MAX_STORED_BLOB_BYTES) {
    throw new FormatError('CLFS_LIMIT', `${what} ${size} bytes, over the ${MAX_STORED_BLOB_BYTES}-byte limit of a CLFS object; not read`, { blob: name });
  }
}
