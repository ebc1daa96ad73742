/** The blob envelope (§5): u16 encryption (0) + u16 compression, then the payload raw or as one LZ4 frame. */
import { FormatError } from '../errors.js';
import { decodeLz4Frame, lz4Frame, lz4FrameSync } from './lz4-frame.js';
import { ENVELOPE_HEADROOM, hasHeadroom } from './wire.js';

export const Compression = { NONE: 0, LZ4: 1 } as const;
export type CompressionType = (typeof Compression)[keyof typeof Compression];

/** Default decoded-size limit: far above any legal payload (≤ 8 MiB + a few hundred bytes). */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;

function envelope(compression: number, body: Uint8Array): Uint8Array {
  // When the encoder (or the LZ4 framer) left room in front of the body, the envelope is written
  // there and the blob is a view over the same memory (no copy of up to 8 MiB per segment).
  if (hasHeadroom(body)) {
    const blob = new Uint8Array(body.buffer, body.byteOffset - ENVELOPE_HEADROOM, body.length + ENVELOPE_HEADROOM);
    blob.fill(0, 0, ENVELOPE_HEADROOM);
    blob[2] = compression;
    return blob;
  }
  const out = new Uint8Array(4 + body.length);
  out[2] = compression;
  out.set(body, 4);
  return out;
}

function checkCompression(c: number): void {
  if (c !== Compression.NONE && c !== Compression.LZ4) throw new FormatError('CLFS_BAD_VALUE', `unknown compression ${c}`);
}

/**
 * Payloads up to this size are compressed inline: for an inode-sized blob the thread-pool round
 * trip costs more than LZ4 itself (measured 39 vs 14 µs CPU per 4.5 KB blob), and it queues behind
 * the loader's fs calls on the same pool.
 */
const INLINE_LZ4_BYTES = 64 * 1024;

/**
 * Envelope + payload. With LZ4, one §5.1 frame, or the raw payload (type 0) when the fallback
 * rules say compression does not help. The compression of payloads above 64 KiB runs on libuv's
 * thread pool.
 */
export async function sealBlob(payload: Uint8Array, compression: number): Promise<Uint8Array> {
  if (payload.length <= INLINE_LZ4_BYTES) return sealBlobSync(payload, compression);
  checkCompression(compression);
  if (compression === Compression.LZ4) {
    const frame = await lz4Frame(payload);
    if (frame) return envelope(Compression.LZ4, frame);
  }
  return envelope(Compression.NONE, payload);
}

/** sealBlob, synchronously; the same bytes. */
export function sealBlobSync(payload: Uint8Array, compression: number): Uint8Array {
  checkCompression(compression);
  if (compression === Compression.LZ4) {
    const frame = lz4FrameSync(payload);
    if (frame) return envelope(Compression.LZ4, frame);
  }
  return envelope(Compression.NONE, payload);
}

export interface OpenOptions {
  /** Decoded payload limit in bytes (CLFS_LIMIT above it). Default 64 MiB. */
  maxPayloadBytes?: number;
}

/** Check the envelope and return the payload (LZ4 decoded). Throws only FormatError. */
export function openBlob(bytes: Uint8Array, blob?: string, opts: OpenOptions = {}): { compression: number; payload: Uint8Array } {
  if (bytes.length < 4) throw new FormatError('CLFS_TRUNCATED', `blob of ${bytes.length} bytes has no envelope`, { blob });
  const encryption = bytes[0] | (bytes[1] << 8);
  const compression = bytes[2] | (bytes[3] << 8);
  if (encryption !== 0) throw new FormatError('CLFS_BAD_ENVELOPE', `encryption type ${encryption} is not supported`, { blob });
  const body = bytes.subarray(4);
  const max = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  if (compression === Compression.NONE) {
    if (body.length > max) throw new FormatError('CLFS_LIMIT', `payload of ${body.length} bytes exceeds limit ${max}`, { blob });
    return { compression, payload: body };
  }
  if (compression === Compression.LZ4) {
    try {
      return { compression, payload: decodeLz4Frame(body, max, blob) };
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError('CLFS_BAD_LZ4', `LZ4 frame: ${(e as Error)?.message}`, { blob, cause: e });
    }
  }
  throw new FormatError('CLFS_BAD_ENVELOPE', `compression type ${compression} is not supported`, { blob });
}
