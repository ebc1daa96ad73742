import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine, summaryJson, summaryText } from '../../src/progress/render.js';
import type { StatsSnapshot } from '../../src/progress/stats.js';

const snap: StatsSnapshot = {
  phase: 'TRANSFER', total: 1024, done: 994, failed: 0, skipped: 0, pending: 30, bytes: 16971254, retries: 2, elapsedMs: 49398, mbps: 2.521, status: 'Completed',
};

test('progress line has the azcopy shape', () => {
  assert.equal(progressLine(snap), '97.1 %, 994 Done, 0 Failed, 30 Pending, 0 Skipped, 1024 Total, Throughput (Mb/s): 2.52');
  assert.match(progressLine(snap, true), /, ETA 0m\d\ds$/);
});

test('summary has exactly the azcopy labels', () => {
  assert.equal(summaryText(snap), [
    'Elapsed Time (Minutes): 0.8233',
    'Total Number Of Transfers: 1024',
    'Number of Transfers Completed: 994',
    'Number of Transfers Failed: 0',
    'Number of Transfers Skipped: 0',
    'TotalBytesTransferred: 16971254',
    'Final Job Status: Completed',
  ].join('\n'));
  assert.equal(summaryJson(snap).retries, 2);
  assert.equal(summaryJson(snap).type, 'final');
});
