/**
 * Verify's check of one inode reached from a directory entry (§11.7): name recomputes, handle and
 * type agree, BMAP constants, per-type content (file segments, symlink target, directory pieces).
 * Directories hand back an iterator of their children for the work stack.
 */
import {
  DIR_SEGMENT_BYTES, DIRECT_SLOTS, FILE_SEGMENT_BYTES, FIRST_SEGMENT_BYTES, INDIRECT_TREES, INPROGRESS_ID, POINTERS_PER_INDIRECT, ROOT_ID,
  fnv0_32, ftypeToBtype, hash64Hex, idHex, idsEqual, isRootId, segmentCount, v2Name,
} from '../format/index.js';
import { symlinkLength, type InodeObject } from '../format/index.js';
import { isNullId } from './block-refs.js';
import { MODE_TYPE_BITS, typeOfBtype, displayName, type EntryType } from './entry-kind.js';
import type { IndexedBlob } from './name-index.js';
import { loadObject, type ObjectState, type VerifyContext } from './verify-context.js';
import { verifyFileSegments } from './verify-blocks.js';

/** One directory entry to check (or the root). */
export interface VisitItem {
  id: Uint8Array;
  /** the directory holding the entry (ROOT for the root itself) */
  parent: Uint8Array;
  parentHex: string;
  /** raw entry name (undefined for the root) */
  entryName?: Uint8Array;
  path: string;
}

const INPROGRESS_HASH = hash64Hex(INPROGRESS_ID);

/** Segments trees 0..t hold (§8.4). */
function treesNeeded(nseg: number): number {
  let r = nseg - (DIRECT_SLOTS - 1);
  let t = 0;
  while (r > 0 && t < INDIRECT_TREES) {
    r -= POINTERS_PER_INDIRECT ** (t + 1);
    t++;
  }
  return t;
}

/** Marks a sighting; returns the blob and state when this is the first sighting (to be checked). */
export function recordSighting(ctx: VerifyContext, item: VisitItem, blob: IndexedBlob | undefined): { blob: IndexedBlob; state: ObjectState } | undefined {
  if (!blob) {
    ctx.sink.add('VERIFY_DANGLING', `directory entry names id ${idHex(item.id)}, which has no inode blob`, { path: item.path });
    return undefined;
  }
  let state = ctx.objects.get(blob.name);
  if (!state) {
    state = { refs: 0, parents: [], path: item.path };
    ctx.objects.set(blob.name, state);
  }
  state.refs++;
  state.parents.push(item.parentHex);
  return state.refs === 1 ? { blob, state } : undefined;
}

/** Reads and checks the inode; returns it (and its type) when its content should be checked further. */
export async function checkInode(ctx: VerifyContext, item: VisitItem, blob: IndexedBlob, state: ObjectState): Promise<{ inode: InodeObject; type: EntryType } | undefined> {
  const where = { blob: blob.name, path: item.path };
  ctx.referenced.add(blob.name);
  for (const other of ctx.index.versions(blob.idHex)) {
    if (other === blob) continue;
    ctx.referenced.add(other.name);
    if (other.ownerHash === INPROGRESS_HASH) ctx.sink.add('VERIFY_IN_PROGRESS', 'in-progress (owner 0x62) inode left beside the live version (reconcile/cleanup did not finish)', { blob: other.name, path: item.path });
    else ctx.sink.add('VERIFY_STALE_VERSION', `older version ${other.version} of a live inode (version ${blob.version} wins)`, { blob: other.name, path: item.path });
  }
  const obj = await loadObject(ctx, blob.name, item.path);
  if (!obj) return undefined;
  if (obj.kind !== 'inode') {
    ctx.sink.add('VERIFY_WRONG_KIND', `expected an inode, found a ${obj.kind} object`, where);
    return undefined;
  }
  ctx.stats.inodes++;
  const { vattr } = obj;
  const type = typeOfBtype(vattr.btype);
  const root = isRootId(item.id);
  if (type === 'unknown') {
    ctx.sink.add('VERIFY_TYPE_MISMATCH', `VATTR btype ${vattr.btype} is not an inode type`, where);
    return undefined;
  }
  if ((vattr.mode & 0o170000) !== MODE_TYPE_BITS[type]) ctx.sink.add('VERIFY_TYPE_MISMATCH', `mode 0${vattr.mode.toString(8)} does not match btype ${vattr.btype} (${type})`, where);
  if (blob.btype !== vattr.btype) ctx.sink.add('VERIFY_NAME_MISMATCH', `name says btype ${blob.btype}, VATTR says ${vattr.btype}`, where);
  checkHandle(ctx, item.id, vattr.btype, vattr.containerId, root, where);
  state.isDir = type === 'dir';
  if (root && type !== 'dir') {
    ctx.sink.add('VERIFY_TYPE_MISMATCH', 'the root is not a directory', where);
    return undefined;
  }
  if (type !== 'dir') {
    state.back = (obj.back ?? []).map(idHex);
    state.nlink = vattr.nlink;
    if (!obj.back || obj.back.length === 0) ctx.sink.add('VERIFY_BACKPOINTER', 'non-directory inode has no BACK entries', where);
    else if (obj.back.length === 1 && item.entryName && !idsEqual(obj.name, item.entryName)) {
      ctx.sink.add('VERIFY_NAME_HANDLE', `NAME handle says "${displayName(obj.name)}"`, where);
    }
  }
  checkName(ctx, item, blob, obj, type, root);
  checkBmap(ctx, item.id, obj, type, where);
  return { inode: obj, type };
}

function checkHandle(ctx: VerifyContext, id: Uint8Array, btype: number, containerId: bigint, root: boolean, where: { blob: string; path: string }): void {
  if (root) return;
  if (id.length !== 24) {
    ctx.sink.add('VERIFY_BAD_HANDLE', `filehandle is ${id.length} bytes, expected 24`, where);
    return;
  }
  const cid = new DataView(id.buffer, id.byteOffset, 24).getUint32(0, true);
  if ((cid & 0x1f) !== 0x11 || id[7] !== 0 || fnv0_32(id) === 0) ctx.sink.add('VERIFY_BAD_HANDLE', 'filehandle fields violate §2.2 (low bits, zero byte or zero hash)', where);
  else if (((cid >>> 5) & 0x7ffffff) !== Number(containerId & 0x7ffffffn)) ctx.sink.add('VERIFY_BAD_HANDLE', 'filehandle containerid bits differ from VATTR containerid', where);
  if (ftypeToBtype(id[6]) !== btype) ctx.sink.add('VERIFY_TYPE_MISMATCH', `filehandle ftype ${id[6]} does not match VATTR btype ${btype}`, where);
}

/** The name must recompute from (id, owner, btype, version) (§4.1, §4.4, §11.7). */
function checkName(ctx: VerifyContext, item: VisitItem, blob: IndexedBlob, obj: InodeObject, type: EntryType, root: boolean): void {
  const where = { blob: blob.name, path: item.path };
  let owner: Uint8Array | undefined;
  if (root) owner = ROOT_ID;
  else if (type === 'dir') owner = obj.entries && obj.entries.length >= 2 ? obj.entries[1].fh : undefined;
  else owner = obj.back?.[0];
  if (!owner) return; // reported as a BACK / dot-entry problem
  const expected = (blob.tmp ? 'tmp' : '') + v2Name({ id: item.id, btype: obj.vattr.btype, owner, version: blob.version });
  if (expected === blob.name) return;
  if (blob.ownerHash === INPROGRESS_HASH) ctx.sink.add('VERIFY_IN_PROGRESS', 'the live inode still has the in-progress owner 0x62 (reconcile did not run)', where);
  else ctx.sink.add('VERIFY_NAME_MISMATCH', `name does not recompute from the object: expected ${expected}`, where);
}

function checkBmap(ctx: VerifyContext, id: Uint8Array, obj: InodeObject, type: EntryType, where: { blob: string; path: string }): void {
  const { bmap } = obj;
  const problems: string[] = [];
  const other = type === 'dir' ? DIR_SEGMENT_BYTES : FILE_SEGMENT_BYTES;
  if (bmap.firstSegmentBytes !== FIRST_SEGMENT_BYTES) problems.push(`firstSegmentBytes ${bmap.firstSegmentBytes} ≠ ${FIRST_SEGMENT_BYTES}`);
  if (bmap.otherSegmentBytes !== other) problems.push(`otherSegmentBytes ${bmap.otherSegmentBytes} ≠ ${other}`);
  if (bmap.direct.length < 1 || !idsEqual(bmap.direct[0], id)) problems.push('direct[0] is not the object\'s own id');
  if (bmap.direct.length > DIRECT_SLOTS) problems.push(`${bmap.direct.length} direct slots (max ${DIRECT_SLOTS})`);
  if (bmap.indirectRoots.length !== INDIRECT_TREES) problems.push(`${bmap.indirectRoots.length} indirect roots (expected ${INDIRECT_TREES})`);
  const used = bmap.indirectRoots.map((r) => !isNullId(r));
  const firstUnused = used.indexOf(false);
  if (firstUnused >= 0 && used.slice(firstUnused).some(Boolean)) problems.push('an indirect tree is used after an unused one');
  if (used.some(Boolean) && bmap.direct.length < DIRECT_SLOTS) problems.push('indirect trees used before the direct slots are full');
  if (type === 'file') {
    const nseg = segmentCount(obj.vattr.length);
    if (bmap.direct.length > 1 + Math.min(nseg, DIRECT_SLOTS - 1)) problems.push(`${bmap.direct.length - 1} direct segments for a length needing ${nseg}`);
    const trees = treesNeeded(nseg);
    if (used.slice(trees).some(Boolean)) problems.push(`indirect trees beyond the ${trees} a length of ${obj.vattr.length} needs`);
  } else if (type !== 'dir' && (bmap.direct.length !== 1 || used.some(Boolean))) {
    problems.push(`a ${type} has segments`);
  }
  if (problems.length) ctx.sink.add('VERIFY_BAD_BMAP', problems.join('; '), where);
}

/** Content checks for non-directories. */
export async function checkLeaf(ctx: VerifyContext, item: VisitItem, blobName: string, inode: InodeObject, type: EntryType): Promise<void> {
  const where = { blob: blobName, path: item.path };
  const { vattr } = inode;
  if (type === 'file') {
    ctx.stats.files++;
    ctx.stats.dataBytes += vattr.length;
    const inline = inode.data?.length ?? 0;
    const wantInline = vattr.length < BigInt(FIRST_SEGMENT_BYTES) ? Number(vattr.length) : FIRST_SEGMENT_BYTES;
    if (inline !== wantInline) ctx.sink.add('VERIFY_SIZE_MISMATCH', `inode DATA holds ${inline} bytes, expected ${wantInline} for length ${vattr.length}`, where);
    if (vattr.used !== vattr.length) ctx.sink.add('VERIFY_SIZE_MISMATCH', `VATTR used ${vattr.used} ≠ length ${vattr.length}`, where);
    const nseg = segmentCount(vattr.length);
    if (nseg === 0) return;
    const r = await verifyFileSegments(ctx, item.id, inode.bmap, vattr.length, nseg, item.path);
    const total = BigInt(inline) + r.bytes;
    if (r.segments !== nseg) ctx.sink.add('VERIFY_SIZE_MISMATCH', `block map yields ${r.segments} segments, length ${vattr.length} needs ${nseg}`, where);
    else if (!r.broken && total !== vattr.length) ctx.sink.add('VERIFY_SIZE_MISMATCH', `reassembled size ${total} ≠ length ${vattr.length}`, where);
  } else if (type === 'symlink') {
    ctx.stats.symlinks++;
    if (!inode.data) ctx.sink.add('VERIFY_BAD_BLOB', 'symlink inode has no DATA (target)', where);
    else if (symlinkLength(inode.data) !== vattr.length) ctx.sink.add('VERIFY_SYMLINK_LENGTH', `length ${vattr.length} ≠ ${symlinkLength(inode.data)} characters of the target`, where);
  } else if (type === 'fifo') ctx.stats.fifos++;
  else if (type === 'sock') ctx.stats.sockets++;
  else if (type === 'chr') ctx.stats.charDevices++;
  else if (type === 'blk') ctx.stats.blockDevices++;
}
