/**
 * Runs small blocking jobs (a handful of syscalls each: lstat, read a 4 KiB file, write a blob) in
 * worker threads, many per message. For page-cached files, synchronous syscalls in a worker cost
 * ~10 µs a file against ~60 µs through fs.promises, whose every call is a thread-pool round trip
 * plus a promise; batching spreads the message cost over many jobs. Hand-written: worker-pool
 * packages (piscina, workerpool) run one task per message, which is the overhead to avoid.
 *
 * The worker module calls `serveJobs(handler)` (worker-jobs.ts).
 */
import { Worker } from 'node:worker_threads';
import { WORKER_READY, jobError, type JobHandler } from './worker-jobs.js';

/** What a job's failure carries across the thread boundary: enough to rebuild a Node fs error. */
export interface JobError {
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
}

/**
 * One batch as posted: the arena its payloads were copied into (-1: none), the jobs, and each
 * job's payload length (payloads lie back to back from the arena's start). Flat arrays, not an
 * object per job: the structured clone copies every property, key names included (posting a put
 * job as an object cost 2.0 µs, as a string 0.8 µs, in a microbenchmark).
 */
export interface BatchMessage<Req> {
  arena: number;
  reqs: Req[];
  lens: number[];
}

/** A batch's answer: one result per job in order (undefined where it failed), and the failures by index. */
export interface BatchReply<Res> {
  results: (Res | undefined)[];
  errors: [number, JobError][];
}

/** What every worker gets as workerData: its payload arenas (see WorkerPool's `arenaBytes`). */
export interface PoolWorkerData {
  arenas: SharedArrayBuffer[];
}

interface Pending<Req, Res> {
  req: Req;
  payload: Uint8Array | undefined;
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

interface Slot<Req, Res> {
  worker: Worker;
  /** it has booted and serves jobs (its WORKER_READY came) */
  ready: boolean;
  /** batches posted and not yet answered, oldest first, with the arena each holds */
  batches: { jobs: Pending<Req, Res>[]; arena: number }[];
  /** views of the worker's payload arenas, and which of them hold no batch in flight */
  arenas: Uint8Array[];
  freeArenas: number[];
}

/** Rebuilds an Error that sourceErrorFrom / store error mapping read like Node's own. */
export function errorFromJob(e: JobError): Error {
  return Object.assign(new Error(e.message), { code: e.code, errno: e.errno, syscall: e.syscall });
}

/** Batches in flight per worker: one being worked on, one waiting. */
const BATCHES_PER_WORKER = 2;

export class WorkerPool<Req, Res> {
  private readonly queue: Pending<Req, Res>[] = [];
  private readonly slots: Slot<Req, Res>[] = [];
  private closed = false;
  private scheduled = false;
  /** messages posted so far (each a batch of jobs), and the jobs they carried */
  batchesSent = 0;
  jobsSent = 0;
  /** batches run on this thread because no worker was ready, and the jobs they held */
  inlineBatches = 0;
  inlineJobs = 0;

  /**
   * `size` workers, each with up to two batches posted, each batch up to `maxBatch` jobs. Job
   * payloads (bytes a job carries, like a blob to write) are copied into one of the worker's two
   * shared arenas of `arenaBytes`, reused for every batch: transferring a fresh buffer per job
   * instead left each one as garbage in the worker's heap until its next GC, which in a worker
   * that allocates little came late (hundreds of MB of RSS).
   */
  constructor(
    private readonly workerUrl: URL,
    private readonly size: number,
    private readonly maxBatch = 64,
    private readonly arenaBytes = 0,
    /**
     * The workers' own handler, run on this thread while none of them has booted yet (~0.1 s of
     * a job's start, with several booting at once on two cores): the first jobs need not wait.
     */
    private readonly inline?: JobHandler<Req, Res>,
    /**
     * With `inline`: the workers boot only once this many jobs have run on this thread. A worker
     * costs ~0.1 s of CPU to boot; a load of a few big files makes a few dozen jobs and is done
     * sooner without any (on two cores the boots took 0.1 s of a 0.6 s load).
     */
    private readonly bootAfterInlineJobs = 0,
  ) {}

  /** Queues one job; `payload` is copied (the caller may reuse it once this resolves or rejects). */
  run(req: Req, payload?: Uint8Array): Promise<Res> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (payload && payload.length > this.arenaBytes) return Promise.reject(new RangeError(`job payload of ${payload.length} bytes exceeds ${this.arenaBytes}`));
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, payload, resolve, reject });
      // Jobs queued in one turn of the event loop go out together: one message, not one each.
      this.scheduleDispatch();
    });
  }

  private scheduleDispatch(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  /**
   * Starts every worker now instead of at the first jobs (or, with an inline handler, after
   * `bootAfterInlineJobs`). A worker takes tens of milliseconds to boot (a Node environment and its
   * modules) on another thread. Idle workers never keep the process alive.
   */
  start(): void {
    while (!this.closed && this.slots.length < this.size) this.spawn();
  }

  /** Workers running (started, and not exited or closed). */
  get workers(): number {
    return this.slots.length;
  }

  /** Stops every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const p of this.queue.splice(0)) p.reject(new Error('worker pool is closed'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    if (this.inline && this.queue.length > 0 && !this.slots.some((s) => s.ready)) {
      if (this.inlineJobs >= this.bootAfterInlineJobs) this.start(); // booting meanwhile
      this.runInline(this.inline);
      return;
    }
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      if (!slot) return;
      const arena = this.arenaBytes > 0 ? slot.freeArenas.pop()! : -1;
      const view = arena >= 0 ? slot.arenas[arena] : undefined;
      const jobs: Pending<Req, Res>[] = [];
      const message: BatchMessage<Req> = { arena, reqs: [], lens: [] };
      let used = 0;
      while (this.queue.length > 0 && jobs.length < this.maxBatch) {
        const p = this.queue[0];
        const len = p.payload?.length ?? 0;
        if (len > 0 && used + len > this.arenaBytes) break;
        this.queue.shift();
        if (len > 0) view!.set(p.payload!, used);
        message.reqs.push(p.req);
        if (view) message.lens.push(len);
        used += len;
        jobs.push(p);
      }
      slot.batches.push({ jobs, arena });
      slot.worker.ref();
      this.batchesSent++;
      this.jobsSent += jobs.length;
      slot.worker.postMessage(message);
    }
  }

  /** One batch's worth of queued jobs on this thread; the rest in a later turn, so I/O callbacks run between. */
  private runInline(handle: JobHandler<Req, Res>): void {
    const jobs = this.queue.splice(0, this.maxBatch);
    this.inlineJobs += jobs.length;
    for (const p of jobs) {
      try {
        p.resolve(handle(p.req, p.payload ?? new Uint8Array(0)).value);
      } catch (e) {
        p.reject(errorFromJob(jobError(e))); // the same error a worker's failure gives
      }
    }
    this.inlineBatches++;
    if (this.queue.length > 0) this.scheduleDispatch();
  }

  /** A worker with a batch place free (the least busy), starting one if there is room. */
  private freeSlot(): Slot<Req, Res> | undefined {
    let best: Slot<Req, Res> | undefined;
    for (const s of this.slots) if (s.batches.length < BATCHES_PER_WORKER && (!best || s.batches.length < best.batches.length)) best = s;
    if (best && best.batches.length === 0) return best;
    if (this.slots.length < this.size) return this.spawn();
    return best;
  }

  private spawn(): Slot<Req, Res> {
    const workerData: PoolWorkerData = {
      arenas: this.arenaBytes > 0 ? Array.from({ length: BATCHES_PER_WORKER }, () => new SharedArrayBuffer(this.arenaBytes)) : [],
    };
    const worker = startWorker(this.workerUrl, workerData);
    const arenas = workerData.arenas.map((sab) => new Uint8Array(sab));
    const slot: Slot<Req, Res> = { worker, ready: false, batches: [], arenas, freeArenas: arenas.map((_, i) => i) };
    worker.on('message', (reply: BatchReply<Res> | typeof WORKER_READY) => {
      if (reply === WORKER_READY) {
        slot.ready = true;
        this.dispatch();
        return;
      }
      const batch = slot.batches.shift();
      if (slot.batches.length === 0) worker.unref();
      if (batch && batch.arena >= 0) slot.freeArenas.push(batch.arena);
      const jobs = batch?.jobs ?? [];
      const failed = new Map(reply.errors);
      for (let i = 0; i < jobs.length; i++) {
        const err = failed.get(i);
        if (err) jobs[i].reject(errorFromJob(err));
        else if (i < reply.results.length) jobs[i].resolve(reply.results[i] as Res);
        else jobs[i].reject(new Error('worker sent no reply for a job'));
      }
      this.dispatch();
    });
    const fail = (err: unknown) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      for (const p of slot.batches.splice(0).flatMap((b) => b.jobs)) p.reject(err);
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    // After the listeners: attaching one refs the worker again. An idle worker never holds the process.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}

/**
 * Starts a worker on a module. A .ts module (run from source under tsx, as the tests do) needs
 * tsx's loader registered inside the worker first: Node 20 does not apply the main thread's
 * --import hooks to a worker's entry module.
 */
function startWorker(url: URL, workerData: PoolWorkerData): Worker {
  const preloads = nodeOptionsImports();
  if (!url.pathname.endsWith('.ts')) return new Worker(url, preloads.length > 0 ? { workerData, execArgv: preloads } : { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api'); // resolved here: the worker's eval code resolves from the cwd
  const boot = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * `--import` preloads given in NODE_OPTIONS, as worker execArgv. Node 20 runs them in the main
 * thread only (a `--require` preload runs in workers too), so a preload that instruments `fs`
 * would otherwise miss the calls the workers make; passed explicitly, workers run them as well.
 */
function nodeOptionsImports(): string[] {
  const words = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--import' && i + 1 < words.length) out.push('--import', words[++i]);
    else if (words[i].startsWith('--import=')) out.push(words[i]);
  }
  return out;
}

/**
 * The URL of a worker module beside `moduleUrl` (the caller's import.meta.url): `name`.js when
 * compiled, `name`.ts when run from source under tsx.
 */
export function siblingWorkerUrl(moduleUrl: string, name: string): URL {
  return new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}
