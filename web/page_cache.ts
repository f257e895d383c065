// The HTML of a page drawn from a memoized read model (services/store/read_memo.ts), kept beside
// that model's result and dropped with it. Under many clients of one dashboard, rendering the
// same ~100 KB page over and over was most of the server's work; now each result of the read
// model is rendered once per viewer and URL. The page is exactly as fresh as its data: the memo
// is forgotten on every write and refreshed after live events, and a new result starts a new set
// of pages.
// A session's CSRF token is the one per-request part: the page is rendered with a placeholder
// that is swapped for the caller's token on the way out.
import type { VNode } from "preact";
import { getCookie } from "hono/cookie";
import { randomToken } from "@/services/auth/mod.ts";
import type { AppContext } from "./env.ts";
import { renderDocument } from "./render.tsx";

/** Unguessable per process, so no data can contain it by chance (base64url: no escaping). */
const CSRF_PLACEHOLDER = `csrf${randomToken(18)}`;
/** Pages kept per result; a result is replaced within about READ_CACHE_MS anyway. */
const PAGES_PER_RESULT = 32;
/** A rendered page as UTF-8, cut where the CSRF token goes: each answer only joins the pieces. */
type Pieces = Uint8Array<ArrayBuffer>[];
const pagesByResult = new WeakMap<object, Map<string, Pieces>>();
const utf8 = new TextEncoder();

function joined(pieces: Pieces, token: string | null): Uint8Array<ArrayBuffer> {
  if (pieces.length === 1) return pieces[0];
  const glue = utf8.encode(token ?? "");
  const out = new Uint8Array(
    pieces.reduce((n, p) => n + p.length, 0) + glue.length * (pieces.length - 1),
  );
  let at = 0;
  pieces.forEach((p, i) => {
    if (i > 0) {
      out.set(glue, at);
      at += glue.length;
    }
    out.set(p, at);
    at += p.length;
  });
  return out;
}

/**
 * Responds with the page that `body()` draws from `result`, rendered at most once per viewer,
 * URL and display preferences while `result` is the read model's current value. `body` must take
 * everything it shows from `result`, the URL and the viewer (it runs only on a miss).
 */
export function cachedPage(
  c: AppContext,
  result: object,
  title: string,
  body: () => VNode,
): Response {
  const csrf = c.get("csrfToken");
  const key = JSON.stringify([
    c.req.url,
    c.get("user"),
    csrf !== null,
    getCookie(c, "pf_theme") ?? "",
    getCookie(c, "pf_contrast") ?? "",
  ]);
  let pages = pagesByResult.get(result);
  if (!pages) pagesByResult.set(result, pages = new Map());
  let pieces = pages.get(key);
  if (pieces === undefined) {
    if (csrf !== null) c.set("csrfToken", CSRF_PLACEHOLDER);
    let html: string;
    try {
      html = renderDocument(c, title, body());
    } finally {
      c.set("csrfToken", csrf);
    }
    pieces = html.split(CSRF_PLACEHOLDER).map((part) => utf8.encode(part));
    if (pages.size >= PAGES_PER_RESULT) pages.delete(pages.keys().next().value!);
    pages.set(key, pieces);
  }
  return c.body(joined(pieces, csrf), 200, {
    "content-type": "text/html; charset=UTF-8",
    "cache-control": "no-store",
  });
}
