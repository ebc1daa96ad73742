/** Renders results as one Markdown table (readable in a terminal, pasteable into docs/performance.md). */
import { ceilingFor, cpuSeconds, filesPerSecond, megabytesPerSecond, roundRatio, type Result } from './result.js';

const HEADER = ['row', 'dest', 'tool', 'comp', 'files', 'MB', 'wall s', 'files/s', 'MB/s', 'peak RSS MB', 'CPU s', 'blobs', 'stored MB', '÷ ceiling (throughput)', 'wall ÷ cp -a'];

function fixed(n: number | undefined, digits: number): string {
  return n === undefined || !Number.isFinite(n) ? '' : n.toFixed(digits);
}

function toolLabel(r: Result): string {
  if (r.tool === 'raw upload' && r.concurrencies) return `raw upload ×${r.concurrencies.join('/')}`;
  if (r.tool === 'raw upload' && r.concurrency) return `raw upload ×${r.concurrency}`;
  return r.tool;
}

function cells(r: Result, results: Result[]): string[] {
  const found = r.tool === 'clfsload' && r.ok ? ceilingFor(results, r) : undefined;
  const ceiling = found?.ok ? found : undefined;
  // Same tree, so the throughput ratio (files/s or MB/s alike) is the inverse wall ratio; both are
  // medians of the per-round ratios, as the goals take them.
  const ratio = ceiling && roundRatio(r, ceiling, (load, c) => c / load)?.value;
  const wallRatio = ceiling && r.dest === 'local' ? roundRatio(r, ceiling, (load, c) => load / c)?.value : undefined;
  if (!r.ok) {
    return [r.row, r.dest, toolLabel(r), r.compression ?? '', String(r.files), fixed(r.bytes / 1e6, 1), 'FAILED', r.error ?? '', '', '', '', '', '', '', ''];
  }
  return [
    r.row,
    r.dest,
    toolLabel(r),
    r.compression ?? '',
    String(r.files),
    fixed(r.bytes / 1e6, 1),
    fixed(r.wallS, 2),
    fixed(filesPerSecond(r), 0),
    fixed(megabytesPerSecond(r), 1),
    fixed(r.peakRssMB, 0),
    fixed(cpuSeconds(r), 2),
    r.blobs === undefined ? '' : String(r.blobs),
    fixed(r.storedBytes === undefined ? undefined : r.storedBytes / 1e6, 1),
    fixed(ratio, 2),
    fixed(wallRatio, 2),
  ];
}

/** A Markdown table with padded columns. */
export function renderTable(results: Result[]): string {
  const rows = [HEADER, ...results.map((r) => cells(r, results))];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]): string => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
