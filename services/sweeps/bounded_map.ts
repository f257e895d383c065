// Runs an async function over many items with at most `workers` in flight at once.

/**
 * Calls `fn` for every item, never more than `workers` at a time, and returns the results in
 * input order. When `stop()` turns true, items not yet started are skipped (their slot stays
 * `undefined`), so a caller can give up early without waiting for the whole list.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  workers: number,
  fn: (item: T, index: number) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = Array.from({ length: items.length }, () => undefined);
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stop()) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(workers) || 1, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
