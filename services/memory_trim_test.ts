import assert from "node:assert/strict";
import { startMemoryTrim } from "./memory_trim.ts";

Deno.test("memory trim: 0 never starts; a running trim stops and closes libc (no leak)", () => {
  const off = startMemoryTrim(0);
  off();
  const stop = startMemoryTrim(60_000);
  assert.equal(typeof stop, "function");
  stop(); // the resource sanitizer fails the test if the timer or the library stayed open
});
