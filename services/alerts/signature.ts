// The webhook signature: HMAC-SHA256(secret, timestamp + "." + raw body), hex, as "sha256=<hex>".
import { createHmac, timingSafeEqual } from "node:crypto";

export function sign(secret: string, timestamp: number, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** What a receiver does (docs/alerts.md shows the same in a few lines). */
export function verify(
  secret: string,
  timestamp: number,
  body: string,
  header: string | null,
): boolean {
  if (!header) return false;
  const want = Buffer.from(sign(secret, timestamp, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}
