/**
 * Verify's check of a directory (§9, §11.7): `.` and `..`, entry names, piece sizes, the length
 * rule (§9.3) and nlink = 2 + subdirectories. Yields the children to visit, streaming one piece
 * at a time; the totals are checked when the last piece has been read.
 */
import { DIR_INLINE_LIMIT, DIR_SEGMENT_BYTES, FIRST_SEGMENT_BYTES, Ftype, INITIAL_VERSION, ROOT_ID, fnv0_32, idHex, idsEqual, isRootId, murmur2_32 } from '../format/index.js';
import type { InodeObject } from '../format/index.js';
import { displayName, joinPath, unsafeNameReason } from './entry-kind.js';
import type { VerifyContext } from './verify-context.js';
import { verifyDirPieces } from './verify-blocks.js';
import type { VisitItem } from './verify-inode.js';

const DOT = Uint8Array.of(0x2e);
const DOTDOT = Uint8Array.of(0x2e, 0x2e);

/**
 * 53-bit name fingerprint for duplicate detection: a directory of any size then costs 8-ish bytes
 * per entry instead of the name itself. Two distinct names collide with probability ~2^-53.
 */
function fingerprint(name: Uint8Array): number {
  return fnv0_32(name) * 2 ** 21 + (murmur2_32(name) & 0x1fffff);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The root's EXTATTRS: containeridEpoch "2", massUUID, wipeEpoch (§7; CLFS needs them). */
function checkRootExtattrs(ctx: VerifyContext, inode: InodeObject, where: { blob: string; path: string }): void {
  const attrs = new Map(inode.extattrs ?? []);
  const problems: string[] = [];
  if (attrs.get('containeridEpoch') !== '2') problems.push(`containeridEpoch is ${JSON.stringify(attrs.get('containeridEpoch'))}, expected "2"`);
  for (const key of ['massUUID', 'wipeEpoch']) if (!UUID.test(attrs.get(key) ?? '')) problems.push(`${key} is missing or not a UUID`);
  if (problems.length) ctx.sink.add('VERIFY_ROOT_EXTATTRS', problems.join('; '), where);
}

export function checkDirectoryHead(ctx: VerifyContext, item: VisitItem, blobName: string, inode: InodeObject): void {
  const where = { blob: blobName, path: item.path };
  if (isRootId(item.id)) checkRootExtattrs(ctx, inode, where);
  const entries = inode.entries ?? [];
  const parent = isRootId(item.id) ? ROOT_ID : item.parent;
  if (entries.length < 2 || !idsEqual(entries[0].name, DOT) || !idsEqual(entries[1].name, DOTDOT)) {
    ctx.sink.add('VERIFY_DOT_ENTRIES', 'the inline entries do not start with "." and ".."', where);
    return;
  }
  if (!idsEqual(entries[0].fh, item.id)) ctx.sink.add('VERIFY_DOT_ENTRIES', `"." names ${idHex(entries[0].fh)}, not the directory itself`, where);
  if (!idsEqual(entries[1].fh, parent)) ctx.sink.add('VERIFY_DOT_ENTRIES', `".." names ${idHex(entries[1].fh)}, not the parent ${idHex(parent)}`, where);
  if (item.entryName && !idsEqual(inode.name, item.entryName)) ctx.sink.add('VERIFY_NAME_HANDLE', `NAME handle says "${displayName(inode.name)}"`, where);
}

/** The directory's children as visit items; checks totals at the end. Never throws. */
export async function* directoryChildren(ctx: VerifyContext, item: VisitItem, blobName: string, version: number, inode: InodeObject): AsyncGenerator<VisitItem> {
  const where = { blob: blobName, path: item.path };
  const state = { broken: false };
  const seen = new Set<number>();
  const selfHex = idHex(item.id);
  let length = 0n;
  let subdirs = 0;
  for await (const piece of verifyDirPieces(ctx, item.id, inode.bmap, inode.entries ?? [], item.path, state)) {
    length += BigInt(4 + piece.bytes);
    const max = piece.index === 0 ? FIRST_SEGMENT_BYTES : DIR_SEGMENT_BYTES;
    if (piece.bytes > max) ctx.sink.add('VERIFY_DIR_PIECE', `piece ${piece.index} holds ${piece.bytes} bytes of entries (max ${piece.index === 0 ? DIR_INLINE_LIMIT : DIR_SEGMENT_BYTES})`, { blob: piece.blob ?? blobName, path: item.path });
    for (let i = piece.index === 0 ? 2 : 0; i < piece.entries.length; i++) {
      const e = piece.entries[i];
      const path = joinPath(item.path, displayName(e.name));
      const reason = unsafeNameReason(e.name);
      if (reason) {
        ctx.sink.add('VERIFY_BAD_ENTRY_NAME', `entry "${displayName(e.name)}": ${reason}; a reader must not follow it`, { blob: piece.blob ?? blobName, path: item.path });
        continue;
      }
      const fp = fingerprint(e.name);
      if (seen.has(fp)) {
        ctx.sink.add('VERIFY_DUPLICATE_ENTRY', 'name appears more than once in its directory', { blob: piece.blob ?? blobName, path });
        continue;
      }
      seen.add(fp);
      if (isRootId(e.fh) || (e.fh.length === 24 && e.fh[6] === Ftype.DIR)) subdirs++;
      yield { id: e.fh, parent: item.id, parentHex: selfHex, entryName: e.name, path };
    }
  }
  if (state.broken) return; // totals would only repeat the missing piece
  if (inode.vattr.nlink !== 2 + subdirs) ctx.sink.add('VERIFY_NLINK', `directory nlink ${inode.vattr.nlink} ≠ 2 + ${subdirs} subdirectories`, where);
  if (inode.vattr.length !== length) {
    // §14.3 item 3: a reconciled directory (version > 9) carries the source st_size instead
    const reconciled = version > INITIAL_VERSION;
    ctx.sink.add('VERIFY_DIR_LENGTH', `directory length ${inode.vattr.length} ≠ Σ(4 + piece bytes) = ${length}${reconciled ? ' (reconciled directory: st_size is expected, §14.3)' : ''}`, where, reconciled ? 'warning' : 'error');
  }
}
