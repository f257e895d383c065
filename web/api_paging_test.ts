import assert from "node:assert/strict";
import { keysetPage } from "./api_paging.ts";

const rows = ["198.51.100.1", "198.51.100.2", "198.51.100.3"].map((ip) => ({ ip }));

Deno.test("a page with a row beyond the limit ends at the limit and points past its last row", () => {
  assert.deepEqual(keysetPage(rows, 2, (r) => r.ip), {
    items: [{ ip: "198.51.100.1" }, { ip: "198.51.100.2" }],
    next_cursor: "198.51.100.2",
  });
});

Deno.test("the last page (no extra row) has no cursor", () => {
  assert.deepEqual(keysetPage(rows, 3, (r) => r.ip), { items: rows, next_cursor: null });
  assert.deepEqual(keysetPage([], 100, (r: { ip: string }) => r.ip), {
    items: [],
    next_cursor: null,
  });
});
