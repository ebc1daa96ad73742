/** The benchmark rows: which tree, which destinations and compressions, and whether ceilings run. */
import { mixedDirs, type TreeSpec } from './trees.js';

export type Dest = 'local' | 'azurite';
export type Compression = 'LZ4' | 'DISABLED';

export interface RowSpec {
  id: RowId;
  tree: TreeSpec;
  /** a smaller tree for Azurite, whose PUT rate falls as a container grows (see benchRows) */
  azuriteTree?: TreeSpec;
  dests: Dest[];
  compressions: Compression[];
  /** run `cp -a` (local) and the raw upload (Azurite) on this tree */
  ceilings: boolean;
  /** at most this many rounds (long rows) */
  maxRounds?: number;
}

export type RowId = 'small' | 'small-ref' | 'medium' | 'large' | 'large-rand' | 'wide' | 'scale';

const KiB = 1024;
const MiB = 1024 * KiB;
const BOTH_DESTS: Dest[] = ['azurite', 'local'];
const BOTH_COMPRESSIONS: Compression[] = ['LZ4', 'DISABLED'];

function largeTree(name: string, text: number, random: number, size: number): TreeSpec {
  const groups = [];
  if (text > 0) groups.push({ dir: '', prefix: 'text', files: text, size, content: 'text' as const });
  if (random > 0) groups.push({ dir: '', prefix: 'rand', files: random, size, content: 'random' as const });
  return { name, groups };
}

function wideTree(name: string, files: number): TreeSpec {
  return { name, groups: [{ dir: '', prefix: 'empty-file-', files, size: 0, content: 'empty' }] };
}

/**
 * Full sizes are the issue's; `quick` divides every count by 10 to 40 so the whole run stays
 * under two minutes. `small-ref` is the small tree with a tenth of the files: the memory goal
 * compares peak RSS at N and N/10 files.
 *
 * Azurite's in-memory store looks every PUT up by a linear scan over the account's blobs (LokiJS
 * `findOne` on four fields, only the first indexed), so its PUT rate falls as a container grows:
 * measured 281 PUT/s over the first 5,000 blobs and 55 PUT/s by 25,000. 20,000 files would take
 * ~5-10 min per pass (raw upload and clfsload alike) and 200,000 hours, so Azurite gets 5,000 small
 * files — the size the Python reference was measured at (23 s) — and 10,000 wide entries.
 */
export function benchRows(opts: { quick: boolean; scale: boolean }): RowSpec[] {
  const q = opts.quick;
  const small = (name: string, dirs: number): TreeSpec => mixedDirs(name, 'd', dirs, 100, 4 * KiB);
  const rows: RowSpec[] = [
    { id: 'small', tree: small('small', q ? 20 : 200), azuriteTree: small('small-az', q ? 20 : 50), dests: BOTH_DESTS, compressions: BOTH_COMPRESSIONS, ceilings: true },
    { id: 'small-ref', tree: small('small-ref', q ? 2 : 20), azuriteTree: small('small-ref-az', q ? 2 : 5), dests: BOTH_DESTS, compressions: ['LZ4'], ceilings: false },
    { id: 'medium', tree: mixedDirs('medium', 'm', q ? 2 : 20, 100, 256 * KiB), dests: BOTH_DESTS, compressions: BOTH_COMPRESSIONS, ceilings: true },
    { id: 'large', tree: largeTree('large', 2, 2, q ? 32 * MiB : 256 * MiB), dests: BOTH_DESTS, compressions: BOTH_COMPRESSIONS, ceilings: true },
    { id: 'large-rand', tree: largeTree('large-rand', 0, 2, q ? 32 * MiB : 256 * MiB), dests: ['local'], compressions: BOTH_COMPRESSIONS, ceilings: true },
    // Empty files put no data through LZ4 (only ~400-byte inodes), so the wide row runs the default LZ4 only.
    { id: 'wide', tree: wideTree('wide', q ? 5_000 : 200_000), azuriteTree: wideTree('wide-az', q ? 2_000 : 10_000), dests: BOTH_DESTS, compressions: ['LZ4'], ceilings: true, maxRounds: 1 },
  ];
  if (opts.scale) {
    // A million blobs in one Azurite container would take hours (above); the scale row checks our own growth: local only.
    rows.push({ id: 'scale', tree: small('scale', q ? 1000 : 10_000), dests: ['local'], compressions: ['LZ4'], ceilings: true, maxRounds: 1 });
  }
  return rows;
}
