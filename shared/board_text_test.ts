// The board's words: totals with plurals, outages counted from the last successful check.
import assert from "node:assert/strict";
import { outageText, totalsText } from "./board_text.ts";

Deno.test("totals read with plurals", () => {
  assert.equal(
    totalsText({ subnets: 1, hosts: 3, up: 1, down: 1, unknown: 1 }),
    "1 subnet · 3 hosts: 1 up, 1 down, 1 unknown",
  );
});

Deno.test("an outage lasts from the last answer, not from when the flip was noticed", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  const row = {
    host_id: 1,
    ip: "198.51.100.7",
    name: null,
    subnet_id: null,
    subnet_cidr: null,
    last_seen: now - 25 * 60_000,
    down_since: now - 10 * 60_000,
    last_latency_ms: 1.5,
  };
  assert.deepEqual(outageText(row, now), {
    since: "last answer 2026-12-01 11:35 UTC",
    length: "down for 25m",
  });
  assert.deepEqual(outageText({ ...row, last_seen: null }, now), {
    since: "never answered (checked since 2026-12-01 11:50 UTC)",
    length: "",
  });
});
