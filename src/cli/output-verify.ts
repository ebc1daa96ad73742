/** Text rendering of a verify report: findings grouped per object, then a summary. */
import type { Finding } from '../read/findings.js';
import type { VerifyReport } from '../read/verify.js';
import { escapeText } from '../util/escape-name.js';

function fmt(n: number | string): string {
  return BigInt(n).toLocaleString('en-US');
}

// Paths and messages hold names from the container: escaped here, so a name cannot forge a report
// line or drive the terminal. The JSON report keeps the exact strings (JSON escapes them itself).
function groupKey(f: Finding): string {
  const path = f.path === undefined ? undefined : f.path === '' ? '/' : escapeText(f.path);
  if (path !== undefined && f.blob !== undefined) return `${path}  (${escapeText(f.blob)})`;
  if (path !== undefined) return path;
  return f.blob === undefined ? '(container)' : escapeText(f.blob);
}

export function renderVerifyText(r: VerifyReport): string {
  const lines: string[] = [`verify ${escapeText(r.container)}`];
  const groups = new Map<string, Finding[]>();
  const ordered = [...r.findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  for (const f of ordered) {
    const k = groupKey(f);
    const list = groups.get(k);
    if (list) list.push(f);
    else groups.set(k, [f]);
  }
  for (const [key, list] of groups) {
    lines.push('', key);
    for (const f of list) lines.push(`  ${f.severity} ${f.code}: ${escapeText(f.message)}`);
  }
  if (r.truncated) lines.push('', `(only the first ${r.findings.length} findings are shown; counts below are complete)`);
  const s = r.summary;
  const sp = s.specials;
  lines.push(
    '',
    'summary',
    `  blobs           ${fmt(s.blobs)} (${fmt(s.listedBytes)} bytes listed): ${fmt(s.inodes)} inodes, ${fmt(s.fileSegments)} file segments, ${fmt(s.dirSegments)} directory segments, ${fmt(s.indirectBlocks)} indirect blocks, ${fmt(s.logBlobs)} log blobs`,
    `  tree            ${fmt(s.directories)} directories, ${fmt(s.files)} files, ${fmt(s.symlinks)} symlinks, ${fmt(sp.fifo + sp.socket + sp.chr + sp.blk)} specials (fifo ${sp.fifo}, socket ${sp.socket}, chr ${sp.chr}, blk ${sp.blk}), ${fmt(s.hardLinkedInodes)} hard-linked inodes`,
    `  data            ${fmt(s.dataBytes)} bytes in files; ${fmt(s.storedBytes)} bytes stored for ${fmt(s.payloadBytes)} bytes of objects (compression ratio ${s.compressionRatio.toFixed(2)})`,
  );
  const codes = Object.entries(r.codes).map(([c, n]) => `${c}×${n}`).join(', ');
  lines.push('', r.ok ? `OK: no errors, ${r.warnings} warning(s)${codes ? ` (${codes})` : ''}` : `FAILED: ${r.errors} error(s), ${r.warnings} warning(s) (${codes})`);
  return lines.join('\n') + '\n';
}
