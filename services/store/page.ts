// The list envelope every API list answers with: `{ items, next_cursor }`, keyset-paged.

export interface Page<T> {
  items: T[];
  /** Where the next page starts (opaque to clients); null on the last page. */
  next_cursor: string | null;
}

/**
 * Cuts one page from rows fetched with `limit + 1`: the extra row only tells that more follow, and
 * the cursor is then the key of the last row kept (the next page starts after it).
 */
export function keysetPage<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => string,
): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? keyOf(items[items.length - 1]) : null };
}

/** A complete list in the same envelope (no paging: next_cursor is always null). */
export function wholeList<T>(items: T[]): { items: T[]; next_cursor: null } {
  return { items, next_cursor: null };
}
