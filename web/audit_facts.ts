// What a finished mutation named, for its audit line: the fields it was sent (the body the route
// already parsed, from Hono's cache) and the JSON object it answered. Never fails the request.
import type { Context } from "hono";
import type { ChangeFacts } from "@/services/auth/mod.ts";

const NAMING = ["cidr", "ip", "username", "name", "kind", "target", "_action"];

function naming(o: unknown): Record<string, unknown> | undefined {
  if (!o || typeof o !== "object" || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  return Object.fromEntries(
    NAMING.filter((k) => typeof rec[k] === "string").map((k) => [k, rec[k]]),
  );
}

export async function changeFacts(c: Context): Promise<ChangeFacts> {
  const facts: ChangeFacts = { method: c.req.method, path: c.req.path };
  const sentType = c.req.header("content-type") ?? "";
  try {
    if (sentType.includes("json")) facts.sent = naming(await c.req.json());
    else if (sentType.includes("form")) facts.sent = naming(await c.req.parseBody());
  } catch { /* unread or unparsable body: the path alone names the change */ }
  try {
    if ((c.res.headers.get("content-type") ?? "").includes("json")) {
      facts.answered = naming(await c.res.clone().json());
    }
  } catch { /* not an object */ }
  return facts;
}
