/**
 * Ordered read-ahead: maps `source` through `fetch` with up to `window` fetches in flight,
 * yielding results in source order. Memory is bounded by `window` results.
 */
export async function* readAhead<T, R>(source: AsyncIterable<T>, fetch: (item: T) => Promise<R>, window: number): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  const it = source[Symbol.asyncIterator]();
  let done = false;
  const fill = async (): Promise<void> => {
    while (!done && pending.length < window) {
      const r = await it.next();
      if (r.done) {
        done = true;
        return;
      }
      const p = fetch(r.value);
      // a fetch may fail before we await it; keep Node from calling that unhandled
      p.catch(() => undefined);
      pending.push(p);
    }
  };
  try {
    await fill();
    while (pending.length > 0) {
      const next = pending.shift() as Promise<R>;
      const value = await next;
      await fill();
      yield value;
    }
  } finally {
    if (!done) await it.return?.();
  }
}
