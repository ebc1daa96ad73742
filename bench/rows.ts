/** The benchmark rows: which tree, which destinations and compressions, and whether ceilings run. */
import { mixedDirs, type TreeSpec } from './trees.js';

export type Dest = 'local' | 'azurite';
export type Compression = 'LZ4' | 'DISABLED';

export interface RowSpec {
  id: RowId;
  tree: TreeSpec;
  dests: Dest[];
  compressions: Compression[];
  /** compressions on Azurite if different from `compressions` */
  azuriteCompressions?: Compression[];
  /** run `cp -a` (local) and the raw upload (Azurite) on this tree */
  ceilings: boolean;
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

/**
 * Full sizes are the issue's; `quick` divides every count by about 10 (wide by 40) so the whole run stays
 * under two minutes. `small-ref` is the small tree with a tenth of the files: the memory goal
 * compares peak RSS at N and N/10 files.
 */
export function benchRows(opts: { quick: boolean; scale: boolean }): RowSpec[] {
  const q = opts.quick;
  const rows: RowSpec[] = [
    { id: 'small', tree: mixedDirs('small', 'd', q ? 20 : 200, 100, 4 * KiB), dests: BOTH_DESTS, compressions: BOTH_COMPRESSIONS, ceilings: true },
    { id: 'small-ref', tree: mixedDirs('small-ref', 'd', q ? 2 : 20, 100, 4 * KiB), dests: BOTH_DESTS, compressions: ['LZ4'], ceilings: false },
    { id: 'medium', tree: mixedDirs('medium', 'm', q ? 2 : 20, 100, 256 * KiB), dests: BOTH_DESTS, compressions: BOTH_COMPRESSIONS, ceilings: true },
    { id: 'large', tree: largeTree('large', 2, 2, q ? 32 * MiB : 256 * MiB), dests: BOTH_DESTS, compressions: BOTH_COMPRESSIONS, ceilings: true },
    { id: 'large-rand', tree: largeTree('large-rand', 0, 2, q ? 32 * MiB : 256 * MiB), dests: ['local'], compressions: BOTH_COMPRESSIONS, ceilings: true },
    {
      id: 'wide',
      tree: { name: 'wide', groups: [{ dir: '', prefix: 'empty-file-', files: q ? 5_000 : 200_000, size: 0, content: 'empty' }] },
      dests: BOTH_DESTS,
      compressions: BOTH_COMPRESSIONS,
      // Azurite takes 200,000 PUTs at a few hundred per second: ~6 min per pass. Empty files put no data
      // through LZ4, so the wide row runs only the default (LZ4) on Azurite; both compressions locally.
      azuriteCompressions: q ? undefined : ['LZ4'],
      ceilings: true,
    },
  ];
  if (opts.scale) {
    // A million files to Azurite would take ~30 min at Azurite's ~600 PUT/s; the scale row checks our own growth, so local only.
    rows.push({ id: 'scale', tree: mixedDirs('scale', 'd', q ? 1000 : 10_000, 100, 4 * KiB), dests: ['local'], compressions: ['LZ4'], ceilings: true });
  }
  return rows;
}
