/**
 * LZ4 frame reading and writing. When the system liblz4's helper is handed over
 * (setNativeBlockCompressor; the loader does it, src/load/native-lz4.ts: loading a native module is
 * I/O, which the codec leaves to others), every frame is compressed by liblz4 the way the
 * reference's python-lz4 does it, so our blobs are its bytes. Without it, lz4-napi compresses the
 * blocks: lz4-napi's own frame writer cannot emit the exact §5.1 frame (linked 256 KiB blocks, no
 * checksums) nor report raw blocks, and its frame reader offers no size limit, so the frame bytes
 * are handled here and only the blocks go through the library.
 */
import { createRequire } from 'node:module';
import { FormatError } from '../errors.js';
import { LZ4_CHUNK } from './constants.js';
import { xxh32 } from './xxh32.js';
import { ENVELOPE_HEADROOM, markHeadroom } from './wire.js';

type Lz4Napi = typeof import('lz4-napi');
let napi: Lz4Napi | undefined;
/**
 * lz4-napi, required on first use: a load that compresses with liblz4 (the native helper) or not
 * at all never needs it, and loading it costs each thread ~15 ms of start-up.
 */
function lz4napi(): Lz4Napi {
  return (napi ??= createRequire(import.meta.url)('lz4-napi') as Lz4Napi);
}

const MAGIC = 0x184d2204;
/** §5.1: magic, FLG 0x40 (v01, linked, no checksums/size/dict), BD 0x50 (256 KiB), HC 0x77. */
export const FRAME_HEADER = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x40, 0x50, 0x77);
/** Linked blocks may reach 64 KiB back (decoder side). */
const DICT_BYTES = 65536;
/** Dictionary given to the compressor: one byte short, so no match offset can reach 65536 (LZ4 max 65535). */
const COMPRESS_DICT_BYTES = 65535;
const RAW_FLAG = 0x80000000;

/** One chunk's block (without size word), compressed with the previous 64 KiB of input as dictionary. */
function chunkDict(payload: Uint8Array, start: number): Buffer | undefined {
  if (start === 0) return undefined;
  const n = Math.min(start, COMPRESS_DICT_BYTES);
  return Buffer.from(payload.buffer, payload.byteOffset + start - n, n);
}

function chunkAt(payload: Uint8Array, start: number): Buffer {
  return Buffer.from(payload.buffer, payload.byteOffset + start, Math.min(LZ4_CHUNK, payload.length - start));
}

/**
 * Apply the §5.1 fallback rules to the compressed blocks (lz4-napi output: 4-byte size prefix
 * + block). Returns the frame, or undefined when the blob must be stored uncompressed.
 */
function assemble(payload: Uint8Array, blocks: Buffer[]): Uint8Array | undefined {
  const L = payload.length;
  let total = 4 + FRAME_HEADER.length;
  const parts: Uint8Array[] = [FRAME_HEADER];
  for (let i = 0; i < blocks.length; i++) {
    const start = i * LZ4_CHUNK;
    const srcLen = Math.min(LZ4_CHUNK, L - start);
    const body = blocks[i].subarray(4);
    // liblz4 stores a block raw (bit 31) when it does not shrink: rule 2 then forbids LZ4.
    if (body.length >= srcLen) return undefined;
    const word = Buffer.alloc(4);
    word.writeUInt32LE(body.length);
    parts.push(word, body);
    total += 4 + body.length;
    const full = srcLen === LZ4_CHUNK;
    if (full && total >= L + 4) return undefined; // rule 1
  }
  total += 4; // end mark
  parts.push(new Uint8Array(4));
  if (total > L + 4) return undefined; // rule 3 (note: '>' not '>=')
  // `total` counts the envelope: it goes in front of the frame, so sealing needs no copy (envelope.ts).
  const out = Buffer.allocUnsafe(total);
  out.fill(0, 0, ENVELOPE_HEADROOM);
  let at = ENVELOPE_HEADROOM;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return markHeadroom(out.subarray(ENVELOPE_HEADROOM));
}

function chunkStarts(L: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s < L; s += LZ4_CHUNK) starts.push(s);
  return starts;
}

/**
 * Payloads up to this size (inodes and other small blobs, the sizes envelope.ts compresses inline)
 * are one block, compressed by liblz4 straight into a scratch buffer; bigger ones go through
 * compressLinked, on the thread pool from lz4Frame.
 */
export const NATIVE_FRAME_MAX = 64 * 1024;

/** compressLinked's input limit (far above any payload the format has: ≤ 8 MiB + a header). */
const LINKED_MAX = 64 * 1024 * 1024;

/** liblz4's compressor as native/lz4-block exports it. */
export interface NativeLz4 {
  /** liblz4's version number (10904 for 1.9.4) */
  version: number;
  /** Compresses `src` (1 to 262144 bytes) to dst[at..] as a frame's first block; its size, or 0 when it does not shrink. */
  compressBlock(src: Uint8Array, dst: Uint8Array, at: number): number;
  /**
   * A frame's blocks for all of `src` (1 byte to 64 MiB), each a u32 size and the block, written
   * to dst[at..]: their total size, or 0 when a block does not shrink or they do not fit in dst.
   */
  compressLinked(src: Uint8Array, dst: Uint8Array, at: number): number;
  /** compressLinked on libuv's thread pool; neither array may change until it settles. */
  compressLinkedAsync(src: Uint8Array, dst: Uint8Array, at: number): Promise<number>;
  /** Decodes one block into dst (its length bounds the output) after `dict`: the size, or -1 if malformed. */
  decompressBlock(src: Uint8Array, dst: Uint8Array, dict?: Uint8Array): number;
}

let nativeBlocks: NativeLz4 | undefined;

/** Every frame is compressed by `native` from now on (undefined: back to lz4-napi). */
export function setNativeBlockCompressor(native: NativeLz4 | undefined): void {
  nativeBlocks = native;
}

/** The §5.1 frame for `payload`, or undefined when the rules say "store uncompressed". Synchronous. */
export function lz4FrameSync(payload: Uint8Array): Uint8Array | undefined {
  const native = nativeBlocks;
  if (!native || payload.length === 0 || payload.length > LINKED_MAX) return lz4FrameSyncPortable(payload);
  if (payload.length <= NATIVE_FRAME_MAX) return singleBlockFrame(native, payload);
  const blocks = takeLinkedScratch(payload.length);
  try {
    return linkedFrame(blocks, native.compressLinked(payload, blocks.subarray(0, linkedRoom(payload.length)), 0));
  } finally {
    giveLinkedScratch(blocks);
  }
}

/** lz4FrameSync with lz4-napi's blocks only (what it does without the native helper). */
export function lz4FrameSyncPortable(payload: Uint8Array): Uint8Array | undefined {
  const blocks = chunkStarts(payload.length).map((s) => {
    const dict = chunkDict(payload, s);
    return dict ? lz4napi().compressSync(chunkAt(payload, s), dict) : lz4napi().compressSync(chunkAt(payload, s));
  });
  return assemble(payload, blocks);
}

/**
 * The frame of a payload of one chunk, compressed by liblz4 straight into the output (envelope
 * headroom, header, size word, block, end mark): the §5.1 rules of `assemble` for one block.
 */
function singleBlockFrame(native: NativeLz4, payload: Uint8Array): Uint8Array | undefined {
  const L = payload.length;
  // The block goes to a reused scratch buffer first: most of these blobs are a few KiB, and one
  // allocation of the block's own size (from Node's pool when small) replaces one of the payload's
  // size; data that does not compress allocates nothing.
  scratch ??= Buffer.allocUnsafe(NATIVE_FRAME_MAX);
  const n = native.compressBlock(payload, scratch, 0);
  if (n <= 0) return undefined; // rule 2: liblz4 would store it raw
  const total = 4 + FRAME_HEADER.length + 4 + n;
  if (L === LZ4_CHUNK && total >= L + 4) return undefined; // rule 1
  if (total + 4 > L + 4) return undefined; // rule 3, with the end mark
  const at = ENVELOPE_HEADROOM + FRAME_HEADER.length + 4;
  const out = Buffer.allocUnsafe(at + n + 4);
  out.fill(0, 0, ENVELOPE_HEADROOM);
  out.set(FRAME_HEADER, ENVELOPE_HEADROOM);
  out.writeUInt32LE(n, at - 4);
  out.set(scratch.subarray(0, n), at);
  out.writeUInt32LE(0, at + n);
  return markHeadroom(out.subarray(ENVELOPE_HEADROOM));
}

/** singleBlockFrame's block buffer: compression is synchronous, so one per thread serves every call. */
let scratch: Buffer | undefined;

/**
 * Room compressLinked gets for the blocks of an L-byte payload: envelope (4) + header (7) +
 * blocks + end mark (4) must not exceed L + 4 (§5.1 rule 3, which rule 1 can only anticipate:
 * the blocks only add up), so running out of room means "store uncompressed".
 */
const linkedRoom = (L: number): number => Math.max(0, L - 11);

/**
 * Block buffers for compressLinked, reused, in two sizes: room for one chunk (directory segments,
 * the segments of files up to 272 KiB) and for a whole 8 MiB segment. A fresh buffer per call
 * costs page faults, and a fresh 8 MiB one per call also counts as 8 MiB of external memory, so
 * V8 collects far more often: allocating 8 MiB for every 240 KiB segment made the medium row
 * (2,000 files of 256 KiB) take 1.8x the CPU. Many small ones are in flight at once (one per file
 * being written), few large ones (the memory budget allows about 5).
 */
const SCRATCH_SIZES = [LZ4_CHUNK + 4096, 8 * 1024 * 1024 + 4096];
const SCRATCH_KEPT = [16, 2];
const scratchPools: Buffer[][] = SCRATCH_SIZES.map(() => []);

function takeLinkedScratch(L: number): Buffer {
  const room = linkedRoom(L);
  const size = SCRATCH_SIZES.findIndex((s) => room <= s);
  if (size < 0) return Buffer.allocUnsafeSlow(room);
  return scratchPools[size].pop() ?? Buffer.allocUnsafeSlow(SCRATCH_SIZES[size]);
}

function giveLinkedScratch(b: Buffer): void {
  const size = SCRATCH_SIZES.indexOf(b.length);
  if (size >= 0 && scratchPools[size].length < SCRATCH_KEPT[size]) scratchPools[size].push(b);
}

/** The frame around compressLinked's `n` bytes of blocks in `blocks` (0: store uncompressed), in a buffer of its own size. */
function linkedFrame(blocks: Buffer, n: number): Uint8Array | undefined {
  if (n <= 0) return undefined;
  const at = ENVELOPE_HEADROOM + FRAME_HEADER.length;
  const out = Buffer.allocUnsafe(at + n + 4);
  out.fill(0, 0, ENVELOPE_HEADROOM);
  out.set(FRAME_HEADER, ENVELOPE_HEADROOM);
  out.set(blocks.subarray(0, n), at);
  out.writeUInt32LE(0, at + n);
  return markHeadroom(out.subarray(ENVELOPE_HEADROOM));
}

/** As lz4FrameSync, with the compression of payloads above 64 KiB on libuv's thread pool. Same bytes. */
export async function lz4Frame(payload: Uint8Array): Promise<Uint8Array | undefined> {
  const native = nativeBlocks;
  if (!native || payload.length === 0 || payload.length > LINKED_MAX) return lz4FramePortable(payload);
  if (payload.length <= NATIVE_FRAME_MAX) return singleBlockFrame(native, payload);
  const blocks = takeLinkedScratch(payload.length);
  try {
    return linkedFrame(blocks, await native.compressLinkedAsync(payload, blocks.subarray(0, linkedRoom(payload.length)), 0));
  } finally {
    giveLinkedScratch(blocks);
  }
}

/** lz4Frame with lz4-napi's blocks only, each chunk's block a job on the thread pool. */
async function lz4FramePortable(payload: Uint8Array): Promise<Uint8Array | undefined> {
  if (await firstChunkIncompressible(payload)) return undefined;
  const blocks = await Promise.all(chunkStarts(payload.length).map((s) => lz4napi().compress(chunkAt(payload, s), chunkDict(payload, s))));
  return assemble(payload, blocks);
}

/**
 * §5.1 rule 2: if LZ4 cannot shrink the first 256 KiB chunk (its block would be stored raw), the
 * whole blob is stored uncompressed, whatever the other chunks do. Checking that chunk first
 * spares random data the compression of the other 31 chunks of an 8 MiB segment; chunk 0 has no
 * dictionary, so this is exactly the block lz4Frame would compute. (liblz4's compressLinked
 * stops at the first such block by itself.)
 */
async function firstChunkIncompressible(payload: Uint8Array): Promise<boolean> {
  return payload.length > LZ4_CHUNK && (await napiChunkStaysRaw(payload));
}

/** Whether lz4-napi's block of the first 256 KiB of `bytes`, compressed without a dictionary, does not shrink. */
async function napiChunkStaysRaw(bytes: Uint8Array): Promise<boolean> {
  const block = await lz4napi().compress(Buffer.from(bytes.buffer, bytes.byteOffset, LZ4_CHUNK));
  return block.length - 4 >= LZ4_CHUNK;
}

/**
 * True when a payload of `payloadLength` bytes is stored uncompressed because its first 256 KiB
 * chunk (`firstChunk`) does not shrink (§5.1 rule 2), which is known before the rest of the payload
 * has been read; false when that chunk shrinks (the rest decides) or the payload is a single chunk.
 * A loader can then copy such a segment without reading it (the blob is the uncompressed one).
 */
export async function lz4FirstChunkStaysRaw(firstChunk: Uint8Array, payloadLength: number): Promise<boolean> {
  if (payloadLength <= LZ4_CHUNK || firstChunk.length !== LZ4_CHUNK) return false;
  const native = nativeBlocks;
  if (!native) return napiChunkStaysRaw(firstChunk);
  // Chunk 0 has no dictionary: this is the block the whole frame would start with. Synchronous:
  // liblz4 gives up on data that does not compress within tens of µs, less than a thread-pool
  // round trip (text takes ~0.6 ms, 3 % of compressing its segment).
  const blocks = takeLinkedScratch(LZ4_CHUNK + 11);
  try {
    return native.compressBlock(firstChunk, blocks, 0) <= 0;
  } finally {
    giveLinkedScratch(blocks);
  }
}

function lz4Err(msg: string, blob?: string, cause?: unknown): FormatError {
  return new FormatError('CLFS_BAD_LZ4', `LZ4 frame: ${msg}`, { blob, cause });
}

const BLOCK_MAX: Record<number, number> = { 4: 65536, 5: 262144, 6: 1048576, 7: 4194304 };

/**
 * Decode the first LZ4 frame in `src` (trailing bytes ignored, like python-lz4). Accepts linked
 * or independent blocks, raw blocks, block/content checksums (verified), content size
 * (verified) and a dictionary id (ignored). Output above `maxBytes` → CLFS_LIMIT.
 */
export function decodeLz4Frame(src: Uint8Array, maxBytes: number, blob?: string): Uint8Array {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  let p = 0;
  const need = (n: number): void => {
    if (src.length - p < n) throw lz4Err(`truncated at offset ${p}`, blob);
  };
  need(7);
  if (dv.getUint32(0, true) !== MAGIC) throw lz4Err('bad magic', blob);
  const flg = src[4];
  const bd = src[5];
  if (flg >> 6 !== 1) throw lz4Err(`unsupported version in FLG 0x${flg.toString(16)}`, blob);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw lz4Err('reserved bits set', blob);
  const blockMax = BLOCK_MAX[(bd >> 4) & 7];
  if (blockMax === undefined) throw lz4Err(`bad block size code in BD 0x${bd.toString(16)}`, blob);
  const independent = (flg & 0x20) !== 0;
  const blockSum = (flg & 0x10) !== 0;
  const hasSize = (flg & 0x08) !== 0;
  const contentSum = (flg & 0x04) !== 0;
  const hasDict = (flg & 0x01) !== 0;
  p = 6;
  let contentSize: bigint | undefined;
  if (hasSize) {
    need(8);
    contentSize = dv.getBigUint64(p, true);
    p += 8;
  }
  if (hasDict) {
    need(4);
    p += 4;
  }
  need(1);
  if (((xxh32(src.subarray(4, p)) >>> 8) & 0xff) !== src[p]) throw lz4Err('header checksum mismatch', blob);
  p += 1;
  if (contentSize !== undefined && contentSize > BigInt(maxBytes)) {
    throw new FormatError('CLFS_LIMIT', `LZ4 content size ${contentSize} exceeds limit ${maxBytes}`, { blob });
  }
  const out: Uint8Array[] = [];
  let total = 0;
  let prev: Uint8Array = new Uint8Array(0); // last ≤ 64 KiB of output, for linked blocks
  for (;;) {
    need(4);
    const word = dv.getUint32(p, true);
    p += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw lz4Err(`block of ${size} bytes exceeds maximum ${blockMax}`, blob);
    need(size + (blockSum ? 4 : 0));
    const body = src.subarray(p, p + size);
    p += size;
    if (blockSum) {
      if (xxh32(body) !== dv.getUint32(p, true)) throw lz4Err('block checksum mismatch', blob);
      p += 4;
    }
    const block = (word & RAW_FLAG) !== 0 ? body.slice() : decodeBlock(body, blockMax, independent ? undefined : prev, blob);
    total += block.length;
    // Checked per block: one block decodes to at most 4 MiB, so the overshoot is bounded.
    if (total > maxBytes) throw new FormatError('CLFS_LIMIT', `LZ4 output exceeds limit ${maxBytes}`, { blob });
    out.push(block);
    if (!independent) prev = tail(prev, block);
  }
  const result = Buffer.concat(out, total);
  if (contentSum) {
    need(4);
    if (xxh32(result) !== dv.getUint32(p, true)) throw lz4Err('content checksum mismatch', blob);
  }
  if (contentSize !== undefined && contentSize !== BigInt(total)) throw lz4Err(`content size ${contentSize} but decoded ${total}`, blob);
  return new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
}

/** decodeBlock's output buffer: decoding is synchronous, so one per thread serves every call. */
let decodeScratch: Buffer | undefined;

function tail(prev: Uint8Array, block: Uint8Array): Uint8Array {
  if (block.length >= DICT_BYTES) return block.subarray(block.length - DICT_BYTES);
  const joined = Buffer.concat([prev, block]);
  return joined.subarray(Math.max(0, joined.length - DICT_BYTES));
}

function decodeBlock(body: Uint8Array, blockMax: number, dict: Uint8Array | undefined, blob?: string): Uint8Array {
  const native = nativeBlocks;
  if (native) {
    // Into a reused buffer, then copied out at its size: a buffer of the block maximum (256 KiB)
    // per block would be mostly empty for the small blobs readers decode by the thousand.
    if (!decodeScratch || decodeScratch.length < blockMax) decodeScratch = Buffer.allocUnsafe(blockMax);
    const n = native.decompressBlock(body, decodeScratch.subarray(0, blockMax), dict && dict.length > 0 ? dict : undefined);
    if (n < 0) throw lz4Err('bad block: malformed LZ4 data', blob);
    return Buffer.from(decodeScratch.subarray(0, n));
  }
  // lz4-napi expects a 4-byte size prefix; the block maximum bounds the output, which it trims.
  const input = Buffer.alloc(4 + body.length);
  input.writeUInt32LE(blockMax, 0);
  input.set(body, 4);
  try {
    return dict && dict.length > 0 ? lz4napi().uncompressSync(input, dict) : lz4napi().uncompressSync(input);
  } catch (e) {
    throw lz4Err(`bad block: ${(e as Error).message}`, blob, e);
  }
}
