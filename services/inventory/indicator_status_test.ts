import assert from "node:assert/strict";
import { indicatorStatus } from "./indicator_status.ts";

Deno.test("thresholds turn a number into a status", () => {
  const t = { warning_above: 80, critical_above: 95, warning_below: 5 };
  assert.equal(indicatorStatus(50, t, undefined), "ok");
  assert.equal(indicatorStatus(80, t, undefined), "ok");
  assert.equal(indicatorStatus(81, t, "ok"), "warning");
  assert.equal(indicatorStatus(99, t, "ok"), "critical");
  assert.equal(indicatorStatus(2, t, undefined), "warning");
});

Deno.test("without a number or thresholds the given status stands", () => {
  assert.equal(indicatorStatus("degraded", { warning_above: 1 }, "warning"), "warning");
  assert.equal(indicatorStatus(5, null, undefined), "unknown");
  assert.equal(indicatorStatus(5, {}, "critical"), "critical");
});
