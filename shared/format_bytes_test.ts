import assert from "node:assert/strict";
import { formatBytes } from "./format_bytes.ts";

Deno.test("formatBytes uses SI units with one decimal below 100", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1234), "1.2 kB");
  assert.equal(formatBytes(5_000_000), "5.0 MB");
  assert.equal(formatBytes(123_456_789), "123 MB");
  assert.equal(formatBytes(2e21), "2000 EB", "the largest unit keeps counting");
  assert.equal(formatBytes(NaN), "0 B");
});
