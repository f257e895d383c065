import assert from "node:assert/strict";
import { ago } from "./last_seen.ts";

Deno.test("ago: the Last seen cell's words, from ISO text or epoch ms alike", () => {
  const now = Date.UTC(2026, 0, 2, 12);
  assert.equal(ago(null, now), "never");
  assert.equal(ago(now - 5_000, now), "just now");
  assert.equal(ago(new Date(now - 5 * 60_000).toISOString(), now), "5 min ago");
  assert.equal(ago(now - 3 * 3_600_000, now), "3 h ago");
  assert.equal(ago(now - 12 * 86_400_000, now), "12 d ago");
  assert.equal(ago("not a time", now), "never");
});
