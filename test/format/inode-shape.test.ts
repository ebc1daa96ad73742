/**
 * §7 handle sets: an object missing a handle its kind requires is CLFS_BAD_OBJECT, and every object
 * the Python reference wrote is a prefix of nothing shorter that would still decode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../../src/errors.js';
import {
  Btype, HandleType, decodeHandles, decodeObject, encodeHandles, isRootId, openBlob, parseBlobName, type Handle,
} from '../../src/format/index.js';
import { referenceDir, referenceVariants } from '../helpers/paths.js';
import { A51_FILE_INODE, A52_DIR_INODE, A53_ROOT_INODE, A54_FILE_SEGMENT, A55_DIR_SEGMENT, A56_INDIRECT, A57_BUCKET } from './vectors.js';

const T = HandleType;

/** The payload of `vector` without the handles of the given types. */
function without(vector: Uint8Array, ...types: number[]): Uint8Array {
  return encodeHandles(decodeHandles(vector).filter((h: Handle) => !types.includes(h.type)));
}

/** The payload of `vector` with VATTR btype set to `btype` (byte 2 of the VATTR struct). */
function withBtype(vector: Uint8Array, btype: number): Uint8Array {
  const hs = decodeHandles(vector).map((h) => ('vattr' in h ? { ...h, vattr: { ...h.vattr, btype } } : h));
  return encodeHandles(hs);
}

function badObject(payload: Uint8Array, message: RegExp, what: string): void {
  assert.throws(() => decodeObject(payload, 'blob'), (e: unknown) => {
    assert.ok(e instanceof FormatError, `${what}: ${(e as Error)?.constructor?.name}`);
    assert.equal(e.code, 'CLFS_BAD_OBJECT', what);
    assert.equal(e.blob, 'blob', what);
    assert.match(e.message, message, what);
    return true;
  }, what);
}

test('an inode missing a handle its kind requires gives CLFS_BAD_OBJECT naming the handle', () => {
  badObject(without(A51_FILE_INODE, T.DATA), /btype 1 inode lacks its DATA handle/, 'file without DATA');
  badObject(without(A51_FILE_INODE, T.BACK), /btype 1 inode lacks its BACK handle/, 'file without BACK (not the last handle)');
  badObject(without(A51_FILE_INODE, T.BACK, T.DATA), /lacks its BACK, DATA handle/, 'file without BACK and DATA');
  badObject(withBtype(without(A51_FILE_INODE, T.DATA), Btype.LNK), /btype 5 inode lacks its DATA handle/, 'symlink without its target');
  for (const b of [Btype.BLK, Btype.CHR, Btype.FIFO, Btype.SOCK]) {
    badObject(withBtype(without(A51_FILE_INODE, T.BACK, T.DATA), b), new RegExp(`btype ${b} inode lacks its BACK handle`), `special ${b} without BACK`);
  }
  badObject(without(A52_DIR_INODE, T.DIRENTS), /btype 2 inode lacks its DIRENTS handle/, 'directory without DIRENTS');
  badObject(without(A53_ROOT_INODE, T.EXTATTRS), /root directory inode lacks its EXTATTRS handle/, 'root without EXTATTRS');
  badObject(without(A53_ROOT_INODE, T.DIRENTS, T.EXTATTRS), /root directory inode lacks its DIRENTS, EXTATTRS handle/, 'root with NAME only');
});

test('every complete §7 shape still decodes, including the optional absences', () => {
  for (const [what, payload, kind] of [
    ['A.5.1 file', A51_FILE_INODE, 'inode'], ['A.5.2 directory', A52_DIR_INODE, 'inode'], ['A.5.3 root', A53_ROOT_INODE, 'inode'],
    ['A.5.4 file segment', A54_FILE_SEGMENT, 'file-segment'], ['A.5.5 dir segment', A55_DIR_SEGMENT, 'dir-segment'],
    ['A.5.6 indirect', A56_INDIRECT, 'indirect'], ['A.5.7 bucket', A57_BUCKET, 'bucket'],
  ] as const) assert.equal(decodeObject(payload).kind, kind, what);
  // A special has no DATA (§10.2); a non-root directory has no BACK or EXTATTRS (§7).
  for (const b of [Btype.BLK, Btype.CHR, Btype.FIFO, Btype.SOCK]) {
    const obj = decodeObject(withBtype(without(A51_FILE_INODE, T.DATA), b));
    assert.ok(obj.kind === 'inode' && obj.back && !('data' in obj), `special ${b}`);
  }
  const dir = decodeObject(A52_DIR_INODE);
  assert.ok(dir.kind === 'inode' && !('back' in dir) && !('extattrs' in dir));
  // A VATTR btype that is no inode type is left for verify to report as a type mismatch.
  const odd = decodeObject(withBtype(without(A51_FILE_INODE, T.BACK, T.DATA), Btype.SEGMENT));
  assert.equal(odd.kind, 'inode');
});

/** Offsets where one handle ends and the next begins (blobCount at +4, §6), the end excluded. */
function innerBoundaries(payload: Uint8Array): number[] {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out: number[] = [0];
  for (let at = 0; (at += dv.getUint32(at + 4, true)) < payload.length; ) out.push(at);
  return out;
}

test('every reference object cut between two handles is refused, of every kind the reference writes', () => {
  const cutKinds = new Map<string, number>();
  for (const variant of referenceVariants) {
    const dir = path.join(referenceDir, variant, 'container');
    for (const name of readdirSync(dir)) {
      if (parseBlobName(name).kind === 'other') continue;
      const { payload } = openBlob(new Uint8Array(readFileSync(path.join(dir, name))), name);
      const obj = decodeObject(payload, name);
      const kind = obj.kind !== 'inode' ? obj.kind : isRootId(obj.bmap.direct[0]) ? 'root' : `btype ${obj.vattr.btype}`;
      // a few of each kind are plenty (bigdir holds 2000 empty files)
      if ((cutKinds.get(kind) ?? 0) >= 20) continue;
      const cuts = innerBoundaries(payload);
      for (const n of cuts) {
        assert.throws(() => decodeObject(payload.subarray(0, n), name), { code: 'CLFS_BAD_OBJECT' }, `${variant}/${name} cut to ${n} of ${payload.length}`);
      }
      cutKinds.set(kind, (cutKinds.get(kind) ?? 0) + cuts.length);
    }
  }
  const want = ['bucket', 'file-segment', 'dir-segment', 'root', ...[Btype.REG, Btype.DIR, Btype.LNK, Btype.BLK, Btype.CHR, Btype.FIFO, Btype.SOCK].map((b) => `btype ${b}`)];
  for (const k of want) assert.ok((cutKinds.get(k) ?? 0) > 0, `no reference object of kind ${k} was cut: ${JSON.stringify([...cutKinds])}`);
});
