/**
 * A fault-injecting BlobStore wrapper for reliability tests. Seeded, so a failing run can be replayed:
 * the same seed and the same sequence of calls give the same faults.
 */
import { forwardSync, type BlobInfo, type BlobPage, type BlobStore, type ListOptions } from './blob-store.js';
import { ClfsError, type StoreError } from '../errors.js';
import { sleep, storeError, throwIfAborted } from './store-errors.js';
import { mulberry32 } from '../util/seeded-random.js';

export type FaultOp = 'list' | 'get' | 'put' | 'delete' | 'head' | 'check';
export type FaultKind = '500' | '503' | '429' | 'reset' | 'stall';

export interface FaultRule {
  op?: FaultOp;
  /** a blob name, or a predicate on it */
  name?: string | ((name: string) => boolean);
  /** how many matching calls fail (default: all) */
  times?: number;
  /** the error to throw (default: a retryable 503) */
  error?: () => Error;
}

export interface FaultOptions {
  seed: number;
  /** per-call probabilities of each fault, 0..1 */
  p500?: number;
  p503?: number;
  /** 429 with a Retry-After of `retryAfterMs` */
  p429?: number;
  /** connection reset; on writes it lands before or after the inner call (the outcome is ambiguous) */
  pReset?: number;
  /** a delay of up to `stallMs` before the call proceeds */
  pStall?: number;
  stallMs?: number;
  retryAfterMs?: number;
  /** only these operations get random faults (default all) */
  ops?: FaultOp[];
  /** deterministic failures, checked before random ones */
  rules?: FaultRule[];
  /** after this many successful puts, every further call throws InjectedCrash */
  crashAfterPuts?: number;
}

/** What `crashAfterPuts` throws: stands for the process dying mid-job. */
export class InjectedCrash extends ClfsError {
  constructor() {
    super('CLFS_TEST_CRASH', 'injected crash');
  }
}

export class FaultyStore implements BlobStore {
  readonly description: string;
  /** the inner store's durability barrier, present only when the inner store has one */
  readonly sync: (() => Promise<void>) | undefined;
  /** the inner store's, with put's faults */
  readonly putFileRange: BlobStore['putFileRange'];
  /** injected faults by kind, plus `rule` and `crash` */
  readonly injected: Record<string, number> = {};
  private readonly random: () => number;
  private readonly rules: { rule: FaultRule; left: number }[];
  private puts = 0;
  private crashed = false;

  constructor(private readonly inner: BlobStore, private readonly options: FaultOptions) {
    this.description = inner.description;
    this.sync = forwardSync(inner);
    const putFileRange = inner.putFileRange?.bind(inner);
    this.putFileRange = putFileRange && ((name, head, range, tail, signal) => this.run('put', name, signal, () => this.landPut(() => putFileRange(name, head, range, tail, signal))));
    this.random = mulberry32(options.seed);
    this.rules = (options.rules ?? []).map((rule) => ({ rule, left: rule.times ?? Infinity }));
  }

  listPage(options: ListOptions = {}): Promise<BlobPage> {
    return this.run('list', '', options.signal, () => this.inner.listPage(options));
  }
  get(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
    return this.run('get', name, signal, () => this.inner.get(name, signal, maxBytes));
  }
  async put(name: string, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.run('put', name, signal, () => this.landPut(() => this.inner.put(name, data, signal)));
  }
  /** faults as put's: a reset may land after the create (the caller then sees an error for a blob it made) */
  putIfAbsent(name: string, data: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    return this.run('put', name, signal, () => this.landPut(() => this.inner.putIfAbsent(name, data, signal)));
  }
  delete(name: string, signal?: AbortSignal): Promise<boolean> {
    return this.run('delete', name, signal, () => this.inner.delete(name, signal));
  }
  head(name: string, signal?: AbortSignal): Promise<BlobInfo | undefined> {
    return this.run('head', name, signal, () => this.inner.head(name, signal));
  }
  checkAccess(signal?: AbortSignal): Promise<void> {
    return this.run('check', '', signal, () => this.inner.checkAccess(signal));
  }
  async close(): Promise<void> {
    await this.inner.close?.();
  }

  private async run<T>(op: FaultOp, name: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    if (this.crashed) this.crash();
    const ruled = this.matchRule(op, name);
    if (ruled) throw this.count('rule', ruled.error?.() ?? fault('503', name, op, this.options.retryAfterMs));
    const kind = this.draw(op);
    if (kind === 'stall') {
      this.count('stall');
      await sleep(Math.floor(this.random() * (this.options.stallMs ?? 1000)), signal);
    } else if (kind === 'reset' && (op === 'put' || op === 'delete') && this.random() < 0.5) {
      await fn(); // the write landed, but the reply was lost
      throw this.count('reset', fault('reset', name, op));
    } else if (kind) {
      throw this.count(kind, fault(kind, name, op, this.options.retryAfterMs));
    }
    return fn();
  }

  /** A put of the inner store, unless `crashAfterPuts` have landed already; counted once it lands. */
  private async landPut<T>(put: () => Promise<T>): Promise<T> {
    if (this.options.crashAfterPuts !== undefined && this.puts >= this.options.crashAfterPuts) this.crash();
    const result = await put();
    this.puts++;
    return result;
  }

  private crash(): never {
    if (!this.crashed) this.count('crash');
    this.crashed = true;
    throw new InjectedCrash();
  }

  private matchRule(op: FaultOp, name: string): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.left <= 0 || (r.rule.op && r.rule.op !== op)) continue;
      const n = r.rule.name;
      if (n !== undefined && (typeof n === 'string' ? n !== name : !n(name))) continue;
      r.left--;
      return r.rule;
    }
    return undefined;
  }

  /** One random draw per call decides the fault, so the fault sequence depends only on seed and call order. */
  private draw(op: FaultOp): FaultKind | undefined {
    const x = this.random();
    if (this.options.ops && !this.options.ops.includes(op)) return undefined;
    const o = this.options;
    const table: [FaultKind, number | undefined][] = [['500', o.p500], ['503', o.p503], ['429', o.p429], ['reset', o.pReset], ['stall', o.pStall]];
    let acc = 0;
    for (const [kind, p] of table) {
      acc += p ?? 0;
      if (x < acc) return kind;
    }
    return undefined;
  }

  private count<E>(kind: string, err?: E): E {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return err as E;
  }
}

function fault(kind: Exclude<FaultKind, 'stall'>, blob: string, op: string, retryAfterMs = 1000): StoreError {
  const where = `injected fault: ${op} ${blob}`;
  switch (kind) {
    case '429':
      return storeError('CLFS_STORE_THROTTLED', `${where}: HTTP 429`, { blob, status: 429, retryable: true, retryAfterMs });
    case 'reset':
      return storeError('CLFS_STORE_UNAVAILABLE', `${where}: connection reset`, { blob, retryable: true, serviceCode: 'ECONNRESET' });
    default:
      return storeError('CLFS_STORE_UNAVAILABLE', `${where}: HTTP ${kind}`, { blob, status: Number(kind), retryable: true });
  }
}
