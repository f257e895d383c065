// Keyset-paged API lists: the `{"items": [...], "next_cursor": string|null}` shape, in the
// OpenAPI document and in the answer.
import { z } from "@hono/zod-openapi";
import { jsonResponse, safeString } from "./api_schemas.ts";

export { keysetPage, wholeList } from "@/services/store/mod.ts";

/** Page size when the query names none (API convention; the query schema caps it at 1000). */
export const DEFAULT_PAGE_LIMIT = 100;

/** The 200 response of a keyset-paged list of `item`. */
export const pageResponse = <T extends z.ZodType>(item: T, description: string) =>
  jsonResponse(
    z.object({ items: z.array(item), next_cursor: safeString().nullable() }),
    description,
  );

/** The 200 response of a complete (unpaged) list of `item`: next_cursor is always null. */
export const listResponse = <T extends z.ZodType>(item: T, description: string) =>
  jsonResponse(z.object({ items: z.array(item), next_cursor: z.null() }), description);
