/**
 * A file-segment blob built around its data in place (§7 file segment, §5 envelope): the caller
 * reads the file's bytes straight into the blob at `dataOffset`, and the codec writes everything
 * around them. The same bytes as sealBlobSync(encodeObject({kind: 'file-segment', …}), NONE),
 * without the 8 MiB copy that encoding from a separate data buffer costs. Or, uncompressed, the
 * codec gives the bytes before and after the data (segmentFrameEnds) and a local store copies the
 * file's bytes between them without reading them at all.
 */
import { HANDLE_HEADER_BYTES, HANDLE_MAGIC, HandleType } from './constants.js';
import { FormatError } from '../errors.js';
import { encodeHandleData, handleBlobCount, type Databack } from './handles.js';
import { ENVELOPE_HEADROOM, markHeadroom } from './wire.js';

/** Envelope (4) + DATA handle header (20) + the DATA length word (4). */
export const SEGMENT_DATA_OFFSET = ENVELOPE_HEADROOM + HANDLE_HEADER_BYTES + 4;

export interface SegmentFrame {
  /** Size of the whole uncompressed blob, envelope included. */
  blobBytes: number;
  /** Where the data goes: always SEGMENT_DATA_OFFSET. */
  dataOffset: number;
  /** The encoded DATABACK handle data (written after the data by writeSegmentFrame). */
  databackData: Uint8Array;
}

/** Sizes a segment of `dataBytes` bytes owned as `databack` says. */
export function segmentFrame(dataBytes: number, databack: Databack): SegmentFrame {
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > 0xffffffff - 4) {
    throw new FormatError('CLFS_BAD_VALUE', `segment data length ${dataBytes} out of range`);
  }
  const databackData = encodeHandleData({ type: HandleType.DATABACK, databack });
  const blobBytes = ENVELOPE_HEADROOM + handleBlobCount(4 + dataBytes) + handleBlobCount(databackData.length);
  return { blobBytes, dataOffset: SEGMENT_DATA_OFFSET, databackData };
}

function writeHeader(dv: DataView, at: number, realCount: number, type: number): void {
  dv.setUint32(at, HANDLE_MAGIC, true);
  dv.setUint32(at + 4, handleBlobCount(realCount), true);
  dv.setUint32(at + 8, realCount, true);
  dv.setUint32(at + 12, type, true);
  dv.setUint32(at + 16, 0, true);
}

/**
 * Writes the envelope (uncompressed), the handle headers, padding and DATABACK around the
 * `dataBytes` bytes already at `blob[dataOffset…]`. Returns the finished blob (a view of the first
 * `blobBytes` bytes) and its payload (the blob without the envelope) for sealing with LZ4; sealBlob
 * falls back to the finished blob itself, without a copy, when LZ4 does not help.
 */
export function writeSegmentFrame(blob: Uint8Array, dataBytes: number, frame: SegmentFrame): { blob: Uint8Array; payload: Uint8Array } {
  if (blob.length < frame.blobBytes) {
    throw new FormatError('CLFS_BAD_VALUE', `segment buffer of ${blob.length} bytes is smaller than the blob (${frame.blobBytes})`);
  }
  const dv = new DataView(blob.buffer, blob.byteOffset, frame.blobBytes);
  dv.setUint32(0, 0, true); // envelope: no encryption, no compression
  writeHeader(dv, ENVELOPE_HEADROOM, 4 + dataBytes, HandleType.DATA);
  dv.setUint32(SEGMENT_DATA_OFFSET - 4, dataBytes, true);
  const dataEnd = SEGMENT_DATA_OFFSET + dataBytes;
  const trailerAt = ENVELOPE_HEADROOM + handleBlobCount(4 + dataBytes);
  blob.fill(0, dataEnd, trailerAt);
  writeHeader(dv, trailerAt, frame.databackData.length, HandleType.DATABACK);
  blob.set(frame.databackData, trailerAt + HANDLE_HEADER_BYTES);
  blob.fill(0, trailerAt + HANDLE_HEADER_BYTES + frame.databackData.length, frame.blobBytes);
  const whole = blob.subarray(0, frame.blobBytes);
  return { blob: whole, payload: markHeadroom(whole.subarray(ENVELOPE_HEADROOM)) };
}

/**
 * The uncompressed blob's bytes before its data (envelope, DATA header, length word) and after it
 * (padding, DATABACK): head + the `dataBytes` bytes + tail is what writeSegmentFrame produces.
 */
export function segmentFrameEnds(dataBytes: number, frame: SegmentFrame): { head: Uint8Array; tail: Uint8Array } {
  const head = new Uint8Array(SEGMENT_DATA_OFFSET);
  const hv = new DataView(head.buffer);
  hv.setUint32(0, 0, true); // envelope: no encryption, no compression
  writeHeader(hv, ENVELOPE_HEADROOM, 4 + dataBytes, HandleType.DATA);
  hv.setUint32(SEGMENT_DATA_OFFSET - 4, dataBytes, true);
  const dataEnd = SEGMENT_DATA_OFFSET + dataBytes;
  const trailerAt = ENVELOPE_HEADROOM + handleBlobCount(4 + dataBytes);
  const tail = new Uint8Array(frame.blobBytes - dataEnd); // zero: the padding and the DATABACK's
  writeHeader(new DataView(tail.buffer), trailerAt - dataEnd, frame.databackData.length, HandleType.DATABACK);
  tail.set(frame.databackData, trailerAt - dataEnd + HANDLE_HEADER_BYTES);
  return { head, tail };
}
