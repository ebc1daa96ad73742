/** Blob names V1 and V2, the tmp root name, and the parser (§4). */
import { FormatError } from '../errors.js';
import { Btype, INITIAL_VERSION, SNAPSHOT_TOKEN } from './constants.js';
import { fnv0_32, hash64Hex, hex32 } from './hash.js';
import { ROOT_ID, BUCKET_ID, idFromHex, idHex, isRootId } from './ids.js';

function pad(n: number, width: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || String(n).length > width) {
    throw new FormatError('CLFS_BAD_VALUE', `${n} does not fit ${width} decimal digits`);
  }
  return String(n).padStart(width, '0');
}

/** `<H64>_<ID>.` — the listing prefix of every version of an id (§13). */
export function idPrefix(id: Uint8Array): string {
  return `${hash64Hex(id)}_${idHex(id)}.`;
}

/** A V2 name (§4.1). For the ROOT id the owner and btype are forced to ROOT and DIR. */
export function v2Name(p: { id: Uint8Array; btype: number; owner: Uint8Array; version: number }): string {
  const root = isRootId(p.id);
  const owner = root ? ROOT_ID : p.owner;
  const btype = root ? Btype.DIR : p.btype;
  return `${idPrefix(p.id)}${pad(btype, 4)}.${hash64Hex(owner)}.${pad(p.version, 11)}.${SNAPSHOT_TOKEN}.0002`;
}

/** A V1 name (§4.2): `<H32>_<ID>.<VERSION>.FFFFFFFF.0001`. */
export function v1Name(id: Uint8Array, version: number): string {
  return `${hex32(fnv0_32(id))}_${idHex(id)}.${pad(version, 11)}.${SNAPSHOT_TOKEN}.0001`;
}

/** The bucket object's name (always version 9). */
export const BUCKET_NAME = v1Name(BUCKET_ID, INITIAL_VERSION);
/** `<H64>_<ROOTID>.` — prefix of every real root name. */
export const ROOT_PREFIX = idPrefix(ROOT_ID);
/** The final root name at `version` (9 unless the root was reconciled). */
export function rootName(version = INITIAL_VERSION): string {
  return v2Name({ id: ROOT_ID, btype: Btype.DIR, owner: ROOT_ID, version });
}
/** The root's name until FINALIZE (§4.6). */
export const TMP_ROOT_NAME = 'tmp' + rootName(INITIAL_VERSION);

export type ParsedName =
  | { kind: 'v2'; id: Uint8Array; idHex: string; btype: number; ownerHash: string; version: number; tmp: boolean; hashOk: boolean }
  | { kind: 'v1'; id: Uint8Array; idHex: string; version: number; hashOk: boolean }
  | { kind: 'other' };

const HEX16 = /^[0-9A-F]{16}$/;
const HEX8 = /^[0-9A-F]{8}$/;
const IDHEX = /^([0-9A-F]{2})+$/;

function bad(name: string, why: string): FormatError {
  return new FormatError('CLFS_BAD_NAME', `bad blob name (${why})`, { blob: name });
}

function num(name: string, tok: string, width: number, what: string): number {
  if (tok.length !== width || !/^[0-9]+$/.test(tok)) throw bad(name, what);
  return Number(tok);
}

function splitHashId(name: string, head: string, hashRe: RegExp, hashLen: number): { hash: string; hex: string } {
  const us = head.indexOf('_');
  if (us !== hashLen) throw bad(name, 'hash field');
  const hash = head.slice(0, us);
  const hex = head.slice(us + 1);
  if (!hashRe.test(hash)) throw bad(name, 'hash field');
  // Ids in names are 16-byte (well-known, UUID) or 24-byte (filehandle) values (§4.1).
  if (!IDHEX.test(hex) || (hex.length !== 32 && hex.length !== 48)) throw bad(name, 'id field');
  return { hash, hex };
}

/**
 * Classify a blob name. V1/V2-shaped names (4 tokens ending `.0001`, 6 ending `.0002`,
 * optional `tmp` prefix) with bad fields throw CLFS_BAD_NAME; anything else is `other`.
 * `hashOk` says whether the hash prefix matches the id.
 */
export function parseBlobName(name: string): ParsedName {
  const tmp = name.startsWith('tmp');
  const body = tmp ? name.slice(3) : name;
  const toks = body.split('.');
  if (toks.length === 6 && toks[5] === '0002') {
    const { hash, hex } = splitHashId(name, toks[0], HEX16, 16);
    const btype = num(name, toks[1], 4, 'btype');
    if (!HEX16.test(toks[2])) throw bad(name, 'owner hash');
    const version = num(name, toks[3], 11, 'version');
    if (toks[4] !== SNAPSHOT_TOKEN) throw bad(name, 'snapshot');
    const id = idFromHex(hex);
    return { kind: 'v2', id, idHex: hex, btype, ownerHash: toks[2], version, tmp, hashOk: hash64Hex(id) === hash };
  }
  if (toks.length === 4 && toks[3] === '0001' && !tmp) {
    const { hash, hex } = splitHashId(name, toks[0], HEX8, 8);
    const version = num(name, toks[1], 11, 'version');
    if (toks[2] !== SNAPSHOT_TOKEN) throw bad(name, 'snapshot');
    const id = idFromHex(hex);
    return { kind: 'v1', id, idHex: hex, version, hashOk: hex32(fnv0_32(id)) === hash };
  }
  return { kind: 'other' };
}
