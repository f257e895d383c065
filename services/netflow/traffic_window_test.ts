import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { bucketFor, parseWindow } from "./traffic_window.ts";

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

Deno.test("presets end now, with buckets keeping the chart under ~120 bars", () => {
  assert.deepEqual(parseWindow({}, NOW), {
    key: "1h",
    fromMs: NOW - 3_600_000,
    toMs: NOW,
    bucketMs: 60_000,
    label: "last hour",
  });
  assert.equal(parseWindow({ window: "15m" }, NOW).bucketMs, 60_000);
  assert.equal(parseWindow({ window: "24h" }, NOW).bucketMs, 15 * 60_000);
  assert.equal(parseWindow({ window: "7d" }, NOW).bucketMs, 120 * 60_000);
  assert.equal(bucketFor(90 * 86_400_000), 1440 * 60_000);
});

Deno.test("custom windows take ISO times; to defaults to now", () => {
  const w = parseWindow({ window: "custom", from: "2024-05-01T10:00:00Z" }, NOW);
  assert.deepEqual([w.key, w.fromMs, w.toMs, w.bucketMs], [
    "custom",
    NOW - 2 * 3_600_000,
    NOW,
    60_000,
  ]);
  const implicit = parseWindow({ from: "2024-05-01T11:00:00Z", to: "2024-05-01T11:30:00Z" }, NOW);
  assert.equal(implicit.key, "custom");
  assert.equal(implicit.toMs - implicit.fromMs, 1_800_000);
});

Deno.test("bad windows are 422 with a message saying what is expected", () => {
  const bad = (input: Record<string, string>, re: RegExp) =>
    assert.throws(
      () => parseWindow(input, NOW),
      (e) => e instanceof AppError && e.status === 422 && re.test(e.message),
    );
  bad({ window: "2w" }, /window "2w" is unknown: expected one of 15m, 1h/);
  bad({ window: "custom" }, /needs `from`/);
  bad({ from: "yesterday" }, /from "yesterday" is not a time/);
  bad({ from: "2024-05-01T11:00:00Z", to: "2024-05-01T10:00:00Z" }, /later than/);
  bad({ from: "2023-01-01T00:00:00Z" }, /at most 90 days/);
});
