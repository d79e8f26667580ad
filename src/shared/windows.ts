/**
 * `fn` over `items`, `size` at a time: the calls of one window run together, the next window starts
 * when they have all finished. Keeps a database from getting hundreds of requests at once while
 * still overlapping their round trips. Results in the order of `items`.
 */
export async function mapInWindows<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
