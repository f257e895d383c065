// Keyset-paged API lists: the `{"items": [...], "next_cursor": string|null}` shape, in the
// OpenAPI document and in the answer.
import { z } from "@hono/zod-openapi";
import { safeString } from "@/services/web/api_schemas.ts";
import { jsonResponse } from "./api_schemas.ts";

/** Page size when the query names none (API convention; the query schema caps it at 1000). */
export const DEFAULT_PAGE_LIMIT = 100;

/** The 200 response of a keyset-paged list of `item`. */
export const pageResponse = <T extends z.ZodType>(item: T, description: string) =>
  jsonResponse(
    z.object({ items: z.array(item), next_cursor: safeString().nullable() }),
    description,
  );

/**
 * Cuts one page from rows fetched with `limit + 1`: the extra row only tells that more follow, and
 * the cursor is then the key of the last row kept (the next page starts after it).
 */
export function keysetPage<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => string,
): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? keyOf(items[items.length - 1]) : null };
}
