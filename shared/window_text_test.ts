import assert from "node:assert/strict";
import { windowRangeText } from "./window_text.ts";

Deno.test("windowRangeText: the window line of the address table", () => {
  assert.equal(windowRangeText(0, 250, 800), "Rows 1–250 of 800");
  assert.equal(windowRangeText(250, 250, 12_001), "Rows 251–500 of 12,001");
  assert.equal(windowRangeText(1000, 0, 800), "No rows here (800 in all)");
});
