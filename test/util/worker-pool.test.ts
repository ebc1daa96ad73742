import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { WorkerPool, siblingWorkerUrl } from '../../src/util/worker-pool.js';
import { Wakeup } from '../../src/util/wakeup.js';
import type { EchoJob } from './fixtures/echo-worker.js';

const url = siblingWorkerUrl(import.meta.url, 'fixtures/echo-worker');
const pool = new WorkerPool<EchoJob, number>(url, 2, 64);
after(() => pool.close());

test('jobs queued in one turn travel in batches and resolve in their own order', async () => {
  const before = pool.batchesSent;
  const values = Array.from({ length: 1000 }, (_, i) => i);
  const got = await Promise.all(values.map((value) => pool.run({ op: 'echo', value })));
  assert.deepEqual(got, values.map((v) => v * 2));
  const batches = pool.batchesSent - before;
  assert.ok(batches >= 1000 / 64 && batches <= 40, `1000 jobs in ${batches} messages`);
});

test('a job that throws fails alone, with the fs error fields kept', async () => {
  const results = await Promise.allSettled([pool.run({ op: 'echo', value: 1 }), pool.run({ op: 'fail', code: 'ENOENT' }), pool.run({ op: 'echo', value: 2 })]);
  assert.deepEqual(results[0], { status: 'fulfilled', value: 2 });
  assert.deepEqual(results[2], { status: 'fulfilled', value: 4 });
  assert.equal(results[1].status, 'rejected');
  const err = (results[1] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
  assert.equal(err.code, 'ENOENT');
  assert.equal(err.errno, -2);
  assert.equal(err.syscall, 'open');
  assert.match(err.message, /failed on purpose/);
});

test('a worker that dies rejects its jobs; the pool starts another and goes on', async () => {
  await assert.rejects(pool.run({ op: 'exit' }), /exited with code 3/);
  assert.equal(await pool.run({ op: 'echo', value: 21 }), 42);
});

test('payloads travel through the reused arenas: every job sees its own bytes, batches split when an arena fills', async () => {
  const p = new WorkerPool<EchoJob, number>(url, 2, 64, 1000);
  try {
    const payloads = Array.from({ length: 200 }, (_, i) => new Uint8Array(1 + (i % 300)).fill(i % 7));
    const before = p.batchesSent;
    const sums = await Promise.all(payloads.map((b) => p.run({ op: 'sum' }, b)));
    assert.deepEqual(sums, payloads.map((b) => b.reduce((a, x) => a + x, 0)));
    const totalBytes = payloads.reduce((n, b) => n + b.length, 0);
    assert.ok(p.batchesSent - before >= totalBytes / 1000, 'no batch carried more than an arena');
    await assert.rejects(p.run({ op: 'sum' }, new Uint8Array(1001)), RangeError);
    assert.equal(await p.run({ op: 'sum' }, new Uint8Array(1000).fill(1)), 1000, 'a payload the size of an arena fits');
  } finally {
    await p.close();
  }
});

test('start boots every worker before any job; jobs then run on them, and start adds none', async () => {
  const p = new WorkerPool<EchoJob, number>(url, 2);
  try {
    p.start();
    assert.equal(p.workers, 2);
    const got = await Promise.all(Array.from({ length: 100 }, (_, i) => p.run({ op: 'echo', value: i })));
    assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i * 2));
    p.start();
    assert.equal(p.workers, 2);
  } finally {
    await p.close();
  }
  p.start();
  assert.equal(p.workers, 0, 'a closed pool starts nothing');
});

test('workers started ahead and left idle do not keep the process alive', async () => {
  const poolModule = new URL(`../../src/util/worker-pool.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
  const code = `const { WorkerPool } = await import(${JSON.stringify(poolModule)}); new WorkerPool(new URL(${JSON.stringify(url.href)}), 2).start(); setTimeout(() => {}, 1000);`; // the timer: workers boot meanwhile
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { stdio: 'inherit' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [exitCode, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  assert.equal(signal, null, 'the child had to be killed: an idle worker kept it alive');
  assert.equal(exitCode, 0);
});

test('a closed pool refuses work', async () => {
  const p = new WorkerPool<EchoJob, number>(url, 1);
  assert.equal(await p.run({ op: 'echo', value: 5 }), 10);
  await p.close();
  await assert.rejects(p.run({ op: 'echo', value: 1 }), /closed/);
});

test('Wakeup ends a wait at once when woken, else after the timeout', async (t) => {
  // mocked timers: no time passes unless the test ticks it, so "at once" and "after" are states
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const flush = () => new Promise<void>((r) => setImmediate(r));
  const w = new Wakeup();
  let woken = false;
  void w.wait(5000).then(() => (woken = true));
  w.wake();
  await flush();
  assert.equal(woken, true, 'woken without any time passing');
  let timedOut = false;
  void w.wait(30).then(() => (timedOut = true));
  t.mock.timers.tick(29);
  await flush();
  assert.equal(timedOut, false, 'still waiting at 29 ms');
  t.mock.timers.tick(1);
  await flush();
  assert.equal(timedOut, true, 'ended at 30 ms');
  w.wake(); // no waiter: nothing happens
});

test('with a boot threshold, the first jobs run on this thread and no worker boots until there were that many', async () => {
  const inline = (job: EchoJob) => ({ value: job.op === 'echo' ? job.value * 2 : -1 });
  const p = new WorkerPool<EchoJob, number>(url, 2, 8, 0, inline, 30);
  try {
    const few = await Promise.all(Array.from({ length: 29 }, (_, i) => p.run({ op: 'echo', value: i })));
    assert.deepEqual(few, Array.from({ length: 29 }, (_, i) => i * 2));
    assert.equal(p.inlineJobs, 29);
    assert.equal(p.workers, 0, 'a job of few files boots no worker');
    // past the threshold the workers boot; jobs keep running inline meanwhile, then go to them
    for (let i = 0; i < 300 && p.batchesSent === 0; i++) {
      assert.equal(await p.run({ op: 'echo', value: i }), i * 2);
      if (p.inlineJobs > 30) assert.equal(p.workers, 2, 'booting once the threshold was passed');
      if (p.batchesSent === 0) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(p.batchesSent > 0, 'a booted worker took the jobs');
  } finally {
    await p.close();
  }
});

test('with an inline handler, jobs run on this thread until a worker is ready, then on the workers', async () => {
  const inline = (job: EchoJob, payload: Uint8Array) => {
    if (job.op === 'fail') throw Object.assign(new Error(`failed inline (${job.code})`), { code: job.code, errno: -2, syscall: 'open' });
    return { value: job.op === 'sum' ? payload.reduce((a, b) => a + b, 0) : job.op === 'echo' ? job.value * 2 : -1 };
  };
  const p = new WorkerPool<EchoJob, number>(url, 2, 8, 100, inline);
  try {
    const early = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => p.run({ op: 'echo', value: i })),
      p.run({ op: 'sum' }, Uint8Array.of(1, 2, 3)),
      p.run({ op: 'fail', code: 'EACCES' }),
    ]);
    assert.deepEqual(early.slice(0, 21).map((r) => (r as PromiseFulfilledResult<number>).value), [...Array.from({ length: 20 }, (_, i) => i * 2), 6]);
    const err = (early[21] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
    assert.equal(err.code, 'EACCES', 'an inline failure carries the fs error fields, as a worker\'s does');
    // The first batch runs before any worker can have booted; a worker ready by a later turn takes the rest.
    assert.ok(p.inlineJobs >= 8 && p.inlineBatches >= 1, `${p.inlineJobs} jobs ran inline`);
    assert.equal(p.inlineJobs + p.jobsSent, 22, 'every job ran once, inline or on a worker');
    assert.equal(p.workers, 2, 'the workers boot meanwhile');
    const inlineBefore = p.inlineBatches;
    // once a worker is ready, jobs go to the workers
    for (let i = 0; i < 200 && p.batchesSent === 0; i++) {
      await p.run({ op: 'echo', value: i });
      if (p.batchesSent === 0) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(p.batchesSent > 0, 'a booted worker took the jobs');
    const batchesBefore = p.inlineBatches;
    assert.equal(await p.run({ op: 'echo', value: 5 }), 10);
    assert.equal(p.inlineBatches, batchesBefore, 'no more inline runs');
    assert.ok(batchesBefore >= inlineBefore);
  } finally {
    await p.close();
  }
});
