// The client's address: the socket peer, or X-Forwarded-For only when TRUST_PROXY says so.
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // In-process requests (tests, app.request) have no socket.
    return "local";
  }
}
