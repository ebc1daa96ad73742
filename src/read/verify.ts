/**
 * `verify`: a complete check of a CLFS container in the spirit of `restic check`. Phases:
 * list → bucket → root → walk (every directory, inode, segment, indirect block) → cross-checks
 * (backpointers, nlink, directory links) → unreferenced blobs. Never throws on damaged input and
 * never writes; everything it finds is a Finding.
 */
import { BUCKET_NAME, INPROGRESS_ID, ROOT_ID, TMP_ROOT_NAME, hash64Hex, idHex } from '../format/index.js';
import type { BlobStore } from '../store/blob-store.js';
import { Container } from './container.js';
import { FindingSink, type Finding } from './findings.js';
import { emptyStats, loadObject, type VerifyContext, type VerifyStats } from './verify-context.js';
import { checkInode, checkLeaf, recordSighting, type VisitItem } from './verify-inode.js';
import { checkDirectoryHead, directoryChildren } from './verify-dir.js';
import { runWorkStack } from './work-stack.js';

export interface VerifyOptions {
  /** objects checked at once (default 8) */
  workers?: number;
  /** GETs in flight (default 16) */
  concurrency?: number;
  /** findings kept in full (default 10000; counts are always complete) */
  maxFindings?: number;
  signal?: AbortSignal;
  /** filled with live references to the running totals (for a progress line) */
  live?: VerifyLive;
}

export interface VerifyLive {
  stats?: VerifyStats;
  counters?: Container['counters'];
}

export interface VerifySummary {
  blobs: number;
  listedBytes: number;
  logBlobs: number;
  inodes: number;
  fileSegments: number;
  dirSegments: number;
  indirectBlocks: number;
  directories: number;
  files: number;
  symlinks: number;
  specials: { fifo: number; socket: number; chr: number; blk: number };
  hardLinkedInodes: number;
  /** Σ regular-file lengths (decimal string: may exceed 2^53) */
  dataBytes: string;
  /** bytes of the object blobs read */
  storedBytes: number;
  /** their decoded size (envelope + payload) */
  payloadBytes: number;
  /** payloadBytes / storedBytes */
  compressionRatio: number;
}

export interface VerifyReport {
  container: string;
  ok: boolean;
  errors: number;
  warnings: number;
  /** finding count per code */
  codes: Record<string, number>;
  findings: Finding[];
  /** true when findings were capped */
  truncated: boolean;
  summary: VerifySummary;
}

const LOGFILE_KEY = /^logfile\d{3,}$/;
const INPROGRESS_HASH = hash64Hex(INPROGRESS_ID);

export async function verifyContainer(store: BlobStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const sink = new FindingSink(options.maxFindings ?? 10000);
  const stats = emptyStats();
  let container: Container | undefined;
  let logs = new Set<string>();
  if (options.live) options.live.stats = stats;
  try {
    container = await Container.open(store, { index: 'full', concurrency: options.concurrency ?? 16, signal: options.signal });
    if (options.live) options.live.counters = container.counters;
  } catch (err) {
    sink.add('VERIFY_LIST_FAILED', `cannot list the container: ${(err as Error).message}`);
  }
  if (container?.index) {
    const ctx: VerifyContext = { c: container, index: container.index, sink, stats, objects: new Map(), referenced: new Set(), readAhead: 2 };
    checkNames(ctx);
    logs = await checkBucket(ctx);
    const rootBlob = checkRoot(ctx);
    if (rootBlob) {
      await walk(ctx, rootBlob, options);
      crossCheck(ctx);
      checkUnreferenced(ctx, logs);
    }
  }
  return report(store.description, sink, stats, container, logs.size);
}

/** Phase 1: names that do not parse, wrong hashes, tmp blobs, problems.txt. */
function checkNames(ctx: VerifyContext): void {
  for (const b of ctx.index.byName.values()) {
    if (b.kind === 'bad') ctx.sink.add('VERIFY_BAD_NAME', b.error ?? 'malformed CLFS name', { blob: b.name });
    else if ((b.kind === 'v1' || b.kind === 'v2') && !b.hashOk) ctx.sink.add('VERIFY_BAD_NAME', 'the hash prefix does not match the id', { blob: b.name });
    else if (b.tmp && b.name !== TMP_ROOT_NAME) ctx.sink.add('VERIFY_TMP_BLOB', 'a tmp-prefixed blob (only the root is ever tmp, until FINALIZE)', { blob: b.name });
  }
  if (ctx.index.get('problems.txt')) {
    ctx.sink.loadHadProblems = true;
    ctx.sink.add('VERIFY_PROBLEMS_FILE', 'the load finished with errors (problems.txt lists the failed paths); dangling entries and leftovers are reported as warnings', { blob: 'problems.txt' });
  }
}

/** Phase 2: the bucket object (§7, §11.5); returns the log blob names it lists. */
async function checkBucket(ctx: VerifyContext): Promise<Set<string>> {
  const logs = new Set<string>();
  if (!ctx.index.get(BUCKET_NAME)) {
    ctx.sink.add('VERIFY_NO_BUCKET', 'the bucket object is missing', { blob: BUCKET_NAME });
    return logs;
  }
  ctx.referenced.add(BUCKET_NAME);
  const obj = await loadObject(ctx, BUCKET_NAME);
  if (!obj) return logs;
  if (obj.kind !== 'bucket') {
    ctx.sink.add('VERIFY_BAD_BUCKET', `the bucket object decodes as a ${obj.kind} object`, { blob: BUCKET_NAME });
    return logs;
  }
  const attrs = new Map(obj.attrs);
  for (const key of ['bucketCurrentNameVersion', 'bucketNameVersion', 'bucketObjVersion']) {
    if (attrs.get(key) !== '2') ctx.sink.add('VERIFY_BAD_BUCKET', `${key} is ${JSON.stringify(attrs.get(key))}, expected "2"`, { blob: BUCKET_NAME });
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(attrs.get('bucketUUID') ?? '')) ctx.sink.add('VERIFY_BAD_BUCKET', 'bucketUUID is missing or not a UUID', { blob: BUCKET_NAME });
  for (const [key, value] of obj.attrs) {
    if (!LOGFILE_KEY.test(key)) continue;
    logs.add(value);
    if (!ctx.index.get(value)) ctx.sink.add('VERIFY_MISSING_LOG', `${key} names ${JSON.stringify(value)}, which does not exist`, { blob: BUCKET_NAME });
  }
  if (logs.size === 0) ctx.sink.add('VERIFY_NO_LOGS', 'the bucket object lists no logfileNNN blobs (FINALIZE normally adds them, §13 step 2)', { blob: BUCKET_NAME });
  return logs;
}

/** Phase 3: the root (§4.6, §13 step 2); returns the blob to walk from. */
function checkRoot(ctx: VerifyContext): string | undefined {
  const root = ctx.c.root;
  if (!root) {
    ctx.sink.add('VERIFY_NO_ROOT', 'no root inode: neither the final nor the tmp root name exists');
    return undefined;
  }
  if (!root.finalized) ctx.sink.add('VERIFY_NOT_FINALIZED', 'the root exists only under its tmp name: the load was not finalized (checking it anyway)', { blob: TMP_ROOT_NAME });
  else if (ctx.c.tmpRootPresent) ctx.sink.add('VERIFY_TMP_BLOB', 'the tmp root is still present beside the final root', { blob: TMP_ROOT_NAME });
  if (!root.finalized) ctx.referenced.add(TMP_ROOT_NAME);
  return root.name;
}

/** Phase 4: every object reachable from the root, depth first, `workers` at a time. */
async function walk(ctx: VerifyContext, rootBlob: string, options: VerifyOptions): Promise<void> {
  const rootItem: VisitItem = { id: ROOT_ID, parent: ROOT_ID, parentHex: idHex(ROOT_ID), path: '' };
  async function* start(): AsyncGenerator<VisitItem> {
    yield rootItem;
  }
  const visit = async (item: VisitItem, push: (it: AsyncIterable<VisitItem>) => void): Promise<void> => {
    const blob = item === rootItem ? ctx.index.get(rootBlob) : ctx.index.latest(idHex(item.id));
    const first = recordSighting(ctx, item, blob);
    if (!first) return;
    const checked = await checkInode(ctx, item, first.blob, first.state);
    if (!checked) return;
    if (checked.type === 'dir') {
      ctx.stats.directories++;
      checkDirectoryHead(ctx, item, first.blob.name, checked.inode);
      push(directoryChildren(ctx, item, first.blob.name, first.blob.version, checked.inode));
    } else {
      await checkLeaf(ctx, item, first.blob.name, checked.inode, checked.type);
    }
  };
  try {
    await runWorkStack(start(), options.workers ?? 8, visit, options.signal);
  } catch (err) {
    ctx.sink.add('VERIFY_READ_FAILED', `the walk stopped: ${(err as Error).message}`);
  }
}

/** Phase 5: backpointers and nlink against the directories that name each object (§10.3). */
function crossCheck(ctx: VerifyContext): void {
  for (const [blob, st] of ctx.objects) {
    if (st.isDir) {
      if (st.refs > 1) ctx.sink.add('VERIFY_DIR_LINK', `directory is named by ${st.refs} entries (a directory has exactly one parent)`, { blob, path: st.path });
      continue;
    }
    if (!st.back) continue; // not decoded: already reported
    if (st.refs > 1) ctx.stats.hardLinkedInodes++;
    if (st.nlink !== st.back.length) ctx.sink.add('VERIFY_NLINK', `nlink ${st.nlink} ≠ ${st.back.length} BACK entries`, { blob, path: st.path });
    const want = [...st.back].sort().join(',');
    const got = [...st.parents].sort().join(',');
    if (st.back.length > 0 && want !== got) ctx.sink.add('VERIFY_BACKPOINTER', `BACK lists [${st.back.join(', ')}] but the object is named from [${st.parents.join(', ')}]`, { blob, path: st.path });
  }
}

/** Phase 6: blobs nothing references (§11.7). Segments/indirect blocks are warnings (restarts leave them). */
function checkUnreferenced(ctx: VerifyContext, logs: Set<string>): void {
  for (const b of ctx.index.byName.values()) {
    if (ctx.referenced.has(b.name) || b.kind === 'bad' || b.tmp || !b.hashOk) continue;
    if (b.kind === 'other') {
      if (!logs.has(b.name)) ctx.sink.add('VERIFY_STRAY_BLOB', 'a blob that is neither a CLFS object nor a log blob listed by the bucket object', { blob: b.name });
    } else if (b.kind === 'v1') {
      ctx.sink.add('VERIFY_STRAY_BLOB', 'a V1-named object other than the bucket object (CLFSLoad writes no other)', { blob: b.name });
    } else if (b.ownerHash === INPROGRESS_HASH) {
      ctx.sink.add('VERIFY_IN_PROGRESS', 'an in-progress (owner 0x62) inode: reconcile or cleanup did not finish', { blob: b.name });
    } else if (b.btype === 8 || b.btype === 9) {
      ctx.sink.add('VERIFY_UNREFERENCED', `unreferenced ${b.btype === 8 ? 'segment' : 'indirect block'} (left by a restart or a failed object; not corruption, §11.7)`, { blob: b.name });
    } else {
      ctx.sink.add('VERIFY_UNREFERENCED_INODE', 'an inode no directory entry reaches', { blob: b.name });
    }
  }
}

function report(description: string, sink: FindingSink, stats: VerifyStats, c: Container | undefined, logBlobs: number): VerifyReport {
  const counters = c?.counters ?? { blobs: 0, storedBytes: 0, payloadBytes: 0 };
  let listedBytes = 0;
  for (const b of c?.index?.byName.values() ?? []) listedBytes += b.size;
  return {
    container: description,
    ok: sink.errors === 0,
    errors: sink.errors,
    warnings: sink.warnings,
    codes: sink.byCode(),
    findings: sink.findings,
    truncated: sink.findings.length < sink.errors + sink.warnings,
    summary: {
      blobs: c?.index?.size ?? 0,
      listedBytes,
      logBlobs,
      inodes: stats.inodes,
      fileSegments: stats.fileSegments,
      dirSegments: stats.dirSegments,
      indirectBlocks: stats.indirectBlocks,
      directories: stats.directories,
      files: stats.files,
      symlinks: stats.symlinks,
      specials: { fifo: stats.fifos, socket: stats.sockets, chr: stats.charDevices, blk: stats.blockDevices },
      hardLinkedInodes: stats.hardLinkedInodes,
      dataBytes: stats.dataBytes.toString(),
      storedBytes: counters.storedBytes,
      payloadBytes: counters.payloadBytes,
      compressionRatio: counters.storedBytes > 0 ? Math.round((counters.payloadBytes / counters.storedBytes) * 1000) / 1000 : 1,
    },
  };
}
