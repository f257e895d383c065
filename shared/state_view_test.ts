import assert from "node:assert/strict";
import { formatAge, formatLatency, pillText, pillView } from "./state_view.ts";

Deno.test("ages are coarse and never negative", () => {
  assert.equal(formatAge(-5), "0s");
  assert.equal(formatAge(59_999), "59s");
  assert.equal(formatAge(12 * 60_000 + 5_000), "12m");
  assert.equal(formatAge(3 * 3_600_000), "3h");
  assert.equal(formatAge(47 * 3_600_000), "47h");
  assert.equal(formatAge(72 * 3_600_000), "3d");
});

Deno.test("latency badges", () => {
  assert.equal(formatLatency(0.432), "0.4 ms");
  assert.equal(formatLatency(9.94), "9.9 ms");
  assert.equal(formatLatency(23.6), "24 ms");
  assert.equal(formatLatency(1234), "1.2 s");
  assert.equal(formatLatency(null), null);
});

Deno.test("pills say up, down (with how long ago) or unknown", () => {
  const now = 10_000_000;
  assert.deepEqual(pillView(null, now), {
    status: "unknown",
    label: "Unknown",
    title: "never checked",
    latency: null,
  });
  assert.deepEqual(
    pillView({ up: true, latency_ms: 1.25, since: now - 3 * 3_600_000, last_seen: now }, now),
    { status: "up", label: "Up", title: "up 3h ago", latency: "1.3 ms" },
  );
  assert.deepEqual(
    pillView({
      up: false,
      latency_ms: null,
      since: now - 12 * 60_000,
      last_seen: now - 13 * 60_000,
    }, now),
    { status: "down", label: "Down", title: "down 12m ago (last seen 13m ago)", latency: null },
  );
  assert.equal(
    pillView({ up: false, latency_ms: null, since: now, last_seen: null }, now).title,
    "down 0s ago (never seen up)",
  );
});

Deno.test("pillText is the one wording of pills, server-rendered and live", () => {
  assert.deepEqual(pillText("up", 0.42), { label: "Up", latency: "0.4 ms" });
  assert.deepEqual(pillText("down", 12), { label: "Down", latency: null });
  assert.deepEqual(pillText("unknown", null), { label: "Unknown", latency: null });
  const now = 1_800_000_000_000;
  const live = pillView({ up: true, latency_ms: 0.42, since: now - 5000, last_seen: now }, now);
  assert.deepEqual({ label: live.label, latency: live.latency }, pillText("up", 0.42));
});
