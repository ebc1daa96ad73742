/** Object payloads (§7): one typed value per object kind, the fixed handle order, and the classifier. */
import { FormatError } from '../errors.js';
import { HandleType } from './constants.js';
import { decodeHandles, encodeHandles, type Bmap, type Databack, type Dirent, type Handle } from './handles.js';
import { checkInodeHandles } from './inode-shape.js';
import type { Vattr } from './vattr.js';

/** An inode: file/symlink (back + data), special (back), directory (entries), root (entries + extattrs). */
export interface InodeObject {
  kind: 'inode';
  vattr: Vattr;
  bmap: Bmap;
  back?: Uint8Array[];
  name: Uint8Array;
  data?: Uint8Array;
  entries?: Dirent[];
  extattrs?: [string, string][];
}
export interface FileSegmentObject {
  kind: 'file-segment';
  data: Uint8Array;
  databack: Databack;
}
export interface DirSegmentObject {
  kind: 'dir-segment';
  entries: Dirent[];
  databack: Databack;
}
export interface IndirectObject {
  kind: 'indirect';
  pointers: Uint8Array[];
  databack: Databack;
}
export interface BucketObject {
  kind: 'bucket';
  attrs: [string, string][];
}
export type ClfsObject = InodeObject | FileSegmentObject | DirSegmentObject | IndirectObject | BucketObject;

/** Handles of an object in §7 order. */
export function objectHandles(obj: ClfsObject): Handle[] {
  switch (obj.kind) {
    case 'inode': {
      const hs: Handle[] = [
        { type: HandleType.VATTR, vattr: obj.vattr },
        { type: HandleType.BMAP, bmap: obj.bmap },
      ];
      if (obj.back) hs.push({ type: HandleType.BACK, parents: obj.back });
      hs.push({ type: HandleType.NAME, name: obj.name });
      if (obj.data) hs.push({ type: HandleType.DATA, data: obj.data });
      if (obj.entries) hs.push({ type: HandleType.DIRENTS, entries: obj.entries });
      if (obj.extattrs) hs.push({ type: HandleType.EXTATTRS, attrs: obj.extattrs });
      return hs;
    }
    case 'file-segment':
      return [{ type: HandleType.DATA, data: obj.data }, { type: HandleType.DATABACK, databack: obj.databack }];
    case 'dir-segment':
      // The empty DATA works around a CLFS directory-manager bug; it must be present (§7).
      return [
        { type: HandleType.DIRENTS, entries: obj.entries },
        { type: HandleType.DATA, data: new Uint8Array(0) },
        { type: HandleType.DATABACK, databack: obj.databack },
      ];
    case 'indirect':
      return [{ type: HandleType.INDIR, pointers: obj.pointers }, { type: HandleType.DATABACK, databack: obj.databack }];
    case 'bucket':
      return [{ type: HandleType.EXTATTRS, attrs: obj.attrs }];
  }
}

/** The payload of an object (handles in §7 order), without envelope. */
export function encodeObject(obj: ClfsObject): Uint8Array {
  return encodeHandles(objectHandles(obj));
}

type ByType = Map<number, Handle>;

function index(handles: Handle[], blob?: string): ByType {
  const m: ByType = new Map();
  for (const h of handles) {
    if ('raw' in h) throw new FormatError('CLFS_BAD_OBJECT', `unexpected handle type ${h.type}`, { blob });
    if (m.has(h.type)) throw new FormatError('CLFS_BAD_OBJECT', `handle type ${h.type} appears twice`, { blob });
    m.set(h.type, h);
  }
  return m;
}

function only(m: ByType, allowed: number[]): boolean {
  for (const t of m.keys()) if (!allowed.includes(t)) return false;
  return true;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- handles are looked up by type tag */
function get(m: ByType, t: number): any {
  return m.get(t);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Decode a payload into a typed object, classifying by its set of handle types; an inode must carry its kind's handles. */
export function decodeObject(payload: Uint8Array, blob?: string): ClfsObject {
  const m = index(decodeHandles(payload, blob), blob);
  const T = HandleType;
  const has = (t: number): boolean => m.has(t);
  if (has(T.VATTR) && has(T.BMAP) && has(T.NAME) && only(m, [T.VATTR, T.BMAP, T.BACK, T.NAME, T.DATA, T.DIRENTS, T.EXTATTRS])) {
    const obj: InodeObject = { kind: 'inode', vattr: get(m, T.VATTR).vattr, bmap: get(m, T.BMAP).bmap, name: get(m, T.NAME).name };
    checkInodeHandles(obj.vattr.btype, obj.bmap.direct[0], has, blob);
    if (has(T.BACK)) obj.back = get(m, T.BACK).parents;
    if (has(T.DATA)) obj.data = get(m, T.DATA).data;
    if (has(T.DIRENTS)) obj.entries = get(m, T.DIRENTS).entries;
    if (has(T.EXTATTRS)) obj.extattrs = get(m, T.EXTATTRS).attrs;
    return obj;
  }
  if (m.size === 2 && has(T.DATA) && has(T.DATABACK)) {
    return { kind: 'file-segment', data: get(m, T.DATA).data, databack: get(m, T.DATABACK).databack };
  }
  if (m.size === 3 && has(T.DIRENTS) && has(T.DATA) && has(T.DATABACK) && get(m, T.DATA).data.length === 0) {
    return { kind: 'dir-segment', entries: get(m, T.DIRENTS).entries, databack: get(m, T.DATABACK).databack };
  }
  if (m.size === 2 && has(T.INDIR) && has(T.DATABACK)) {
    return { kind: 'indirect', pointers: get(m, T.INDIR).pointers, databack: get(m, T.DATABACK).databack };
  }
  if (m.size === 1 && has(T.EXTATTRS)) return { kind: 'bucket', attrs: get(m, T.EXTATTRS).attrs };
  throw new FormatError('CLFS_BAD_OBJECT', `handle set [${[...m.keys()].join(',')}] fits no object kind`, { blob });
}

/** Bucket EXTATTRS (§7): the four bucket* pairs, then logfile001… naming the log blobs. */
export function bucketAttrs(bucketUuid: string, logBlobs: string[] = []): [string, string][] {
  const attrs: [string, string][] = [
    ['bucketCurrentNameVersion', '2'],
    ['bucketNameVersion', '2'],
    ['bucketObjVersion', '2'],
    ['bucketUUID', bucketUuid],
  ];
  logBlobs.forEach((name, i) => attrs.push([`logfile${String(i + 1).padStart(3, '0')}`, name]));
  return attrs;
}

/** Root EXTATTRS (§7): containeridEpoch "2", massUUID, wipeEpoch. */
export function rootExtattrs(massUuid: string, wipeEpoch: string): [string, string][] {
  return [
    ['containeridEpoch', '2'],
    ['massUUID', massUuid],
    ['wipeEpoch', wipeEpoch],
  ];
}

/** DATABACK offset of an indirect block: (tree << 16) + depth (§6.2). */
export function indirectOffset(tree: number, depth: number): bigint {
  return (BigInt(tree) << 16n) + BigInt(depth);
}

/** DATABACK offset of file segment k ≥ 1 (§8.2). */
export function fileSegmentOffset(k: number): bigint {
  return 16384n + BigInt(k - 1) * 8388608n;
}

/** DATABACK offset of directory piece j ≥ 1: fixed 256 KiB slots (§9.2). */
export function dirSegmentOffset(j: number): bigint {
  return 16384n + BigInt(j - 1) * 262144n;
}
