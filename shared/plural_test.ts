import assert from "node:assert/strict";
import { plural } from "./plural.ts";

Deno.test("plural picks the noun's number and formats the count", () => {
  assert.equal(plural(1, "subnet"), "1 subnet");
  assert.equal(plural(0, "subnet"), "0 subnets");
  assert.equal(plural(1024, "address", "addresses"), "1,024 addresses");
  assert.equal(plural("1", "host"), "1 host");
});
