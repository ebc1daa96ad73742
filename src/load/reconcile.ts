/**
 * RECONCILE (§11.3) and CLEANUP (§11.4) for hard-linked objects written under the 0x62 owner:
 * rewrite each with its full BACK list and nlink under its first parent at version 11, then
 * delete the intermediate name and any other stale version.
 */
import { Btype, HandleType, INITIAL_VERSION, ftypeToBtype } from '../format/constants.js';
import { decodeHandles, encodeHandles, type Handle } from '../format/handles.js';
import { openBlob, sealBlob } from '../format/envelope.js';
import { INPROGRESS_ID } from '../format/ids.js';
import { idPrefix, parseBlobName, v2Name } from '../format/names.js';
import type { Vattr } from '../format/vattr.js';
import { StoreError } from '../errors.js';
import { listAll } from '../store/blob-store.js';
import type { ObjectRow } from '../state/job-db.js';
import type { LoadContext } from './context.js';

/** Reconcile counter of a clean run: +1 when marked, +1 when claimed (§4.5). */
export const RECONCILED_VERSION = 11;
const PAGE = 256;
const PARALLEL = 16;

async function forEachPage(ctx: LoadContext, stage: number, fn: (row: ObjectRow) => Promise<void>): Promise<void> {
  let last = 0;
  for (;;) {
    const rows = ctx.db.toReconcile(stage, last, PAGE);
    if (rows.length === 0) break;
    last = rows[rows.length - 1].id;
    for (let i = 0; i < rows.length; i += PARALLEL) {
      await Promise.all(rows.slice(i, i + PARALLEL).map(fn));
    }
    await ctx.batch.flush();
  }
}

function btypeOf(row: ObjectRow): number {
  return ftypeToBtype(row.ftype) ?? Btype.REG;
}

async function getOrUndefined(ctx: LoadContext, name: string): Promise<Uint8Array | undefined> {
  try {
    return await ctx.store.get(name, ctx.signal);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'CLFS_STORE_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Rewrites every hard-linked object with its final BACK list and nlink. Idempotent. */
export async function reconcileAll(ctx: LoadContext): Promise<void> {
  await forEachPage(ctx, 0, async (row) => {
    const finalName = v2Name({ id: row.fh, btype: btypeOf(row), owner: row.parentFh, version: RECONCILED_VERSION });
    const inprogress = v2Name({ id: row.fh, btype: btypeOf(row), owner: INPROGRESS_ID, version: INITIAL_VERSION });
    const blob = await getOrUndefined(ctx, inprogress);
    if (blob === undefined) {
      // Already reconciled before a restart (cleanup removed the 0x62 name): the final name must exist.
      if ((await ctx.store.head(finalName, ctx.signal)) === undefined) {
        throw new StoreError('CLFS_STORE_NOT_FOUND', `neither ${inprogress} nor ${finalName} exists`, { blob: inprogress });
      }
    } else {
      const parents = ctx.db.backpointers(row.id);
      const handles = decodeHandles(openBlob(blob, inprogress).payload, inprogress).map((h): Handle => {
        if (h.type === HandleType.VATTR && 'vattr' in h) return { type: HandleType.VATTR, vattr: { ...(h.vattr as Vattr), nlink: parents.length } };
        if (h.type === HandleType.BACK) return { type: HandleType.BACK, parents };
        return h;
      });
      const sealed = await sealBlob(encodeHandles(handles), ctx.compression);
      await ctx.store.put(finalName, sealed, ctx.signal);
      ctx.stats.bytes += sealed.length;
    }
    ctx.hook('reconciled-one');
    ctx.batch.add(() => ctx.db.setReconciled(row.id, 1));
  });
}

/** Deletes the 0x62 names and every version but the highest of each reconciled object. */
export async function cleanupAll(ctx: LoadContext): Promise<void> {
  await forEachPage(ctx, 1, async (row) => {
    await ctx.store.delete(v2Name({ id: row.fh, btype: btypeOf(row), owner: INPROGRESS_ID, version: INITIAL_VERSION }), ctx.signal);
    const names: { name: string; version: number }[] = [];
    for await (const b of listAll(ctx.store, { prefix: idPrefix(row.fh), signal: ctx.signal })) {
      const p = parseBlobName(b.name);
      if (p.kind === 'v2') names.push({ name: b.name, version: p.version });
    }
    const top = Math.max(...names.map((n) => n.version));
    for (const n of names) {
      if (n.version < top || (n.version === top && n !== names.find((m) => m.version === top))) {
        await ctx.store.delete(n.name, ctx.signal);
      }
    }
    ctx.hook('cleaned-one');
    ctx.batch.add(() => ctx.db.setReconciled(row.id, 2));
  });
}
