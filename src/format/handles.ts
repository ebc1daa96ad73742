/** Handle records (§6): the 20-byte header, padding, and every data layout CLFSLoad writes. */
import { FormatError } from '../errors.js';
import { HANDLE_HEADER_BYTES, HANDLE_MAGIC, HandleType } from './constants.js';
import { decodeVattr, encodeVattr, type Vattr } from './vattr.js';
import { ByteReader, ByteWriter, ENVELOPE_HEADROOM, markHeadroom } from './wire.js';

/** One directory entry: raw name bytes and the child's id. */
export interface Dirent {
  name: Uint8Array;
  fh: Uint8Array;
}

/** Encoded size of one entry: u32 nameLen + name + u16 fhLen + fh. */
export function direntSize(name: Uint8Array, fh: Uint8Array): number {
  return 6 + name.length + fh.length;
}

/** BMAP contents (§6.2). `indirectRoots` has 4 entries; 16 zero bytes = unused tree. */
export interface Bmap {
  firstSegmentBytes: number;
  otherSegmentBytes: number;
  direct: Uint8Array[];
  indirectRoots: Uint8Array[];
}

/** DATABACK contents: owner ctime seconds, offset (segment byte offset or (tree<<16)+depth), owner id. */
export interface Databack {
  ctime: number;
  offset: bigint;
  owner: Uint8Array;
}

type HT = typeof HandleType;
export type DataHandle = { type: HT['DATA']; data: Uint8Array };
export type DirentsHandle = { type: HT['DIRENTS']; entries: Dirent[] };
export type VattrHandle = { type: HT['VATTR']; vattr: Vattr };
export type BmapHandle = { type: HT['BMAP']; bmap: Bmap };
export type IndirHandle = { type: HT['INDIR']; pointers: Uint8Array[] };
export type BackHandle = { type: HT['BACK']; parents: Uint8Array[] };
export type DatabackHandle = { type: HT['DATABACK']; databack: Databack };
export type ExtattrsHandle = { type: HT['EXTATTRS']; attrs: [string, string][] };
export type NameHandle = { type: HT['NAME']; name: Uint8Array };
/** A known-but-unparsed or unknown handle type, kept byte for byte. */
export type RawHandle = { type: number; raw: Uint8Array };

export type Handle =
  | DataHandle | DirentsHandle | VattrHandle | BmapHandle | IndirHandle | BackHandle
  | DatabackHandle | ExtattrsHandle | NameHandle | RawHandle;

/** Encode a packed DIRENTS block (no count, no padding). */
export function encodeDirents(entries: Dirent[]): Uint8Array {
  const w = new ByteWriter(entries.reduce((n, e) => n + direntSize(e.name, e.fh), 0) || 1);
  for (const e of entries) {
    w.lenBytes(e.name);
    w.id(e.fh);
  }
  return w.finish();
}

/** Decode a packed DIRENTS block. */
export function decodeDirents(bytes: Uint8Array, blob?: string): Dirent[] {
  const r = new ByteReader(bytes, blob, 'DIRENTS');
  const out: Dirent[] = [];
  while (r.left > 0) {
    const name = r.lenBytes();
    const fh = r.id();
    out.push({ name, fh });
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const enc = new TextEncoder();

function encodeIdList(w: ByteWriter, ids: Uint8Array[]): void {
  w.u32(ids.length);
  for (const id of ids) w.id(id);
}

function decodeIdList(r: ByteReader, min = 2): Uint8Array[] {
  const n = r.u32();
  if (n * min > r.left) throw r.fail('CLFS_TRUNCATED', `count ${n} exceeds the bytes left`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.id());
  return out;
}

function encodeBmap(w: ByteWriter, b: Bmap): void {
  w.u32(b.firstSegmentBytes);
  w.u32(b.otherSegmentBytes);
  encodeIdList(w, b.direct);
  encodeIdList(w, b.indirectRoots);
}

function decodeBmap(r: ByteReader): Bmap {
  const firstSegmentBytes = r.u32();
  const otherSegmentBytes = r.u32();
  const direct = decodeIdList(r);
  const indirectRoots = decodeIdList(r);
  if (indirectRoots.length !== 4) throw r.fail('CLFS_BAD_HANDLE', `nIndirect ${indirectRoots.length}, expected 4`);
  return { firstSegmentBytes, otherSegmentBytes, direct, indirectRoots };
}

function encodeAttrs(w: ByteWriter, attrs: [string, string][]): void {
  w.u32(attrs.length);
  for (const [k, v] of attrs) {
    w.lenBytes(enc.encode(k));
    w.lenBytes(enc.encode(v));
  }
}

function decodeAttrs(r: ByteReader): [string, string][] {
  const n = r.u32();
  if (n * 8 > r.left) throw r.fail('CLFS_TRUNCATED', `count ${n} exceeds the bytes left`);
  const out: [string, string][] = [];
  const text = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch (e) {
      throw new FormatError('CLFS_BAD_HANDLE', 'EXTATTRS: invalid UTF-8', { blob: r.blob, cause: e });
    }
  };
  for (let i = 0; i < n; i++) out.push([text(r.lenBytes()), text(r.lenBytes())]);
  return out;
}

/** The data bytes of one handle (without header or padding). */
export function encodeHandleData(h: Handle): Uint8Array {
  if ('raw' in h) return h.raw;
  const w = new ByteWriter(h.type === HandleType.DATA ? 4 + h.data.length : 256);
  switch (h.type) {
    case HandleType.DATA: w.lenBytes(h.data); break;
    case HandleType.DIRENTS: return encodeDirents(h.entries);
    case HandleType.VATTR: return encodeVattr(h.vattr);
    case HandleType.BMAP: encodeBmap(w, h.bmap); break;
    case HandleType.INDIR: encodeIdList(w, h.pointers); break;
    case HandleType.BACK: encodeIdList(w, h.parents); break;
    case HandleType.DATABACK:
      w.u32(h.databack.ctime);
      w.u64(h.databack.offset);
      w.id(h.databack.owner);
      break;
    case HandleType.EXTATTRS: encodeAttrs(w, h.attrs); break;
    case HandleType.NAME: w.lenBytes(h.name); break;
  }
  return w.finish();
}

/** Round up header + data to the 8-byte record size (blobCount). */
export function handleBlobCount(realCount: number): number {
  return (HANDLE_HEADER_BYTES + realCount + 7) & ~7;
}

/** Encode handles one after another, each with header and zero padding. */
export function encodeHandles(handles: Handle[]): Uint8Array {
  // DATA is copied straight into the output (it is the 8 MiB of a file segment); the small
  // handles are encoded first so the output can be sized exactly, with envelope headroom.
  const datas = handles.map((h) => (h.type === HandleType.DATA && !('raw' in h) ? undefined : encodeHandleData(h)));
  const lens = handles.map((h, i) => datas[i]?.length ?? 4 + (h as DataHandle).data.length);
  const total = lens.reduce((n, len) => n + handleBlobCount(len), 0);
  const w = new ByteWriter(total, ENVELOPE_HEADROOM);
  handles.forEach((h, i) => {
    const len = lens[i];
    const blobCount = handleBlobCount(len);
    w.u32(HANDLE_MAGIC);
    w.u32(blobCount);
    w.u32(len);
    w.u32(h.type);
    w.u32(0);
    const data = datas[i];
    if (data) w.bytes(data);
    else w.lenBytes((h as DataHandle).data);
    w.zeros(blobCount - HANDLE_HEADER_BYTES - len);
  });
  return markHeadroom(w.finish());
}

/** Decode one handle's data by type; unknown and unparsed types come back raw. */
export function decodeHandleData(type: number, data: Uint8Array, blob?: string): Handle {
  const r = new ByteReader(data, blob, `handle type ${type}`);
  let h: Handle;
  switch (type) {
    case HandleType.DATA: h = { type, data: r.lenBytes() }; break;
    case HandleType.DIRENTS: return { type, entries: decodeDirents(data, blob) };
    case HandleType.VATTR: return { type, vattr: decodeVattr(data, blob) };
    case HandleType.BMAP: h = { type, bmap: decodeBmap(r) }; break;
    case HandleType.INDIR: h = { type, pointers: decodeIdList(r) }; break;
    case HandleType.BACK: h = { type, parents: decodeIdList(r) }; break;
    case HandleType.DATABACK: h = { type, databack: { ctime: r.u32(), offset: r.u64(), owner: r.id() } }; break;
    case HandleType.EXTATTRS: h = { type, attrs: decodeAttrs(r) }; break;
    case HandleType.NAME: h = { type, name: r.lenBytes() }; break;
    default: return { type, raw: data.slice() };
  }
  r.end();
  return h;
}

/**
 * Walk a payload's handles. Checks magic (CLFS_BAD_MAGIC), that blobCount equals the rounded
 * size and fits (CLFS_BAD_HANDLE / CLFS_TRUNCATED), the reserved word and zero padding.
 */
export function decodeHandles(payload: Uint8Array, blob?: string): Handle[] {
  const r = new ByteReader(payload, blob, 'handle');
  const out: Handle[] = [];
  while (r.left > 0) {
    const at = r.pos;
    r.need(HANDLE_HEADER_BYTES);
    const magic = r.u32();
    if (magic !== HANDLE_MAGIC) {
      throw new FormatError('CLFS_BAD_MAGIC', `handle at ${at}: magic 0x${magic.toString(16)}`, { blob, data: { offset: at } });
    }
    const blobCount = r.u32();
    const realCount = r.u32();
    const type = r.u32();
    const reserved = r.u32();
    if (realCount > payload.length || blobCount !== handleBlobCount(realCount)) {
      throw r.fail('CLFS_BAD_HANDLE', `handle at ${at}: blobCount ${blobCount} does not fit realCount ${realCount}`);
    }
    if (reserved !== 0) throw r.fail('CLFS_BAD_HANDLE', `handle at ${at}: reserved word ${reserved}`);
    const data = r.bytes(realCount);
    const pad = r.bytes(blobCount - HANDLE_HEADER_BYTES - realCount);
    if (pad.some((b) => b !== 0)) throw r.fail('CLFS_BAD_HANDLE', `handle at ${at}: non-zero padding`);
    out.push(decodeHandleData(type, data, blob));
  }
  return out;
}
