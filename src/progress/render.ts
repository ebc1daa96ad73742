/** Renders Stats snapshots as text lines, a TTY status line, or JSON lines. */
import type { StatsSnapshot } from './stats.js';

/** `97.3 %, 994 Done, 0 Failed, 30 Pending, 0 Skipped, 1024 Total, Throughput (Mb/s): 2.52` */
export function progressLine(s: StatsSnapshot, withEta = false): string {
  const finished = s.done + s.failed + s.skipped;
  const pct = s.total > 0 ? (100 * finished) / s.total : 0;
  let line = `${pct.toFixed(1)} %, ${s.done} Done, ${s.failed} Failed, ${s.pending} Pending, ${s.skipped} Skipped, ${s.total} Total, Throughput (Mb/s): ${s.mbps.toFixed(2)}`;
  if (withEta && finished > 0 && s.pending > 0) {
    const etaSec = Math.round(((s.elapsedMs / 1000) * s.pending) / finished);
    line += `, ETA ${formatDuration(etaSec)}`;
  }
  return line;
}

function formatDuration(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

/** The final summary, with exactly the labels of azcopy's load summary. */
export function summaryText(s: StatsSnapshot): string {
  return [
    `Elapsed Time (Minutes): ${(s.elapsedMs / 60000).toFixed(4)}`,
    `Total Number Of Transfers: ${s.total}`,
    `Number of Transfers Completed: ${s.done}`,
    `Number of Transfers Failed: ${s.failed}`,
    `Number of Transfers Skipped: ${s.skipped}`,
    `TotalBytesTransferred: ${s.bytes}`,
    `Final Job Status: ${s.status}`,
  ].join('\n');
}

/** The same facts as one JSON object (JSON output mode). */
export function summaryJson(s: StatsSnapshot): Record<string, unknown> {
  return {
    type: 'final',
    elapsedMinutes: Number((s.elapsedMs / 60000).toFixed(4)),
    totalTransfers: s.total,
    transfersCompleted: s.done,
    transfersFailed: s.failed,
    transfersSkipped: s.skipped,
    totalBytesTransferred: s.bytes,
    retries: s.retries,
    finalJobStatus: s.status,
  };
}

export function progressJson(s: StatsSnapshot): Record<string, unknown> {
  const finished = s.done + s.failed + s.skipped;
  return {
    type: 'progress',
    phase: s.phase,
    percent: s.total > 0 ? Number(((100 * finished) / s.total).toFixed(1)) : 0,
    done: s.done,
    failed: s.failed,
    pending: s.pending,
    skipped: s.skipped,
    total: s.total,
    throughputMbps: Number(s.mbps.toFixed(2)),
    retries: s.retries,
  };
}
