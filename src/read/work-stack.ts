/**
 * Parallel depth-first traversal with bounded memory. Pending work is a stack of lazy
 * iterators (one per directory being listed), not a queue of items: a directory of any size
 * costs one piece of entries in memory, and N workers pull the next item from the top iterator.
 * A worker may push a new iterator (a subdirectory) while it handles an item.
 */
export type PushFn<T> = (items: AsyncIterable<T>) => void;

export async function runWorkStack<T>(initial: AsyncIterable<T>, workers: number, handle: (item: T, push: PushFn<T>) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const stack: AsyncIterator<T>[] = [initial[Symbol.asyncIterator]()];
  let active = 0;
  let failure: { err: unknown } | undefined;
  let wakers: (() => void)[] = [];
  let lock: Promise<unknown> = Promise.resolve();
  const wake = (): void => {
    const w = wakers;
    wakers = [];
    for (const f of w) f();
  };
  const push: PushFn<T> = (items) => {
    stack.push(items[Symbol.asyncIterator]());
    wake();
  };
  // pulls are serialized: an iterator is never asked for two items at once
  const take = (): Promise<{ item: T } | undefined> => {
    const run = async (): Promise<{ item: T } | undefined> => {
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const r = await top.next();
        if (!r.done) return { item: r.value };
        const at = stack.lastIndexOf(top);
        if (at >= 0) stack.splice(at, 1);
      }
      return undefined;
    };
    const p = lock.then(run);
    lock = p.catch(() => undefined);
    return p;
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (failure || signal?.aborted) return;
      let next: { item: T } | undefined;
      try {
        next = await take();
      } catch (err) {
        failure ??= { err };
        wake();
        return;
      }
      if (!next) {
        if (active === 0) {
          wake();
          return;
        }
        await new Promise<void>((resolve) => wakers.push(resolve));
        continue;
      }
      active++;
      try {
        await handle(next.item, push);
      } catch (err) {
        failure ??= { err };
      } finally {
        active--;
        wake();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  if (failure) {
    for (const it of stack) await it.return?.().catch(() => undefined);
    throw failure.err;
  }
  signal?.throwIfAborted();
}
