/**
 * A minimal container walker over a one-file-per-blob directory, built on the codec alone: path →
 * inode, following inline entries and directory segments in the direct slots (enough for the
 * fixtures). Used to compare what we write with what the reference wrote, field by field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Btype, decodeObject, idHex, idPrefix, openBlob, parseBlobName, rootName, v2Name, type InodeObject } from '../../src/format/index.js';

export interface WalkedInode {
  path: string;
  blob: string;
  inode: InodeObject;
}

export function walkContainer(dir: string): Map<string, WalkedInode> {
  const names = readdirSync(dir);
  const latest = new Map<string, { name: string; version: number }>();
  for (const n of names) {
    const p = parseBlobName(n);
    if (p.kind !== 'v2' || p.tmp) continue;
    const prev = latest.get(p.idHex);
    if (!prev || p.version > prev.version) latest.set(p.idHex, { name: n, version: p.version });
  }
  const read = (name: string) => decodeObject(openBlob(new Uint8Array(readFileSync(path.join(dir, name)))).payload, name);
  const out = new Map<string, WalkedInode>();
  const visit = (blob: string, rel: string) => {
    const inode = read(blob);
    if (inode.kind !== 'inode') throw new Error(`${blob} is not an inode`);
    out.set(rel, { path: rel, blob, inode });
    if (!inode.entries) return;
    const own = inode.bmap.direct[0];
    const entries = [...inode.entries];
    for (const seg of inode.bmap.direct.slice(1)) {
      const s = read(v2Name({ id: seg, btype: Btype.SEGMENT, owner: own, version: 9 }));
      if (s.kind === 'dir-segment') entries.push(...s.entries);
    }
    for (const e of entries) {
      const name = Buffer.from(e.name).toString();
      if (name === '.' || name === '..') continue;
      const hit = latest.get(idHex(e.fh));
      if (!hit) throw new Error(`no inode for ${rel}/${name} (${idPrefix(e.fh)})`);
      visit(hit.name, rel === '.' ? name : `${rel}/${name}`);
    }
  };
  visit(rootName(9), '.');
  return out;
}
