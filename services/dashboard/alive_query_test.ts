import assert from "node:assert/strict";
import { parseAliveQuery } from "./alive_query.ts";

Deno.test("alive query: valid values become the filter and are echoed back", () => {
  const r = parseAliveQuery({ subnet: "12", tag: " prod ", service: "ssh", q: "web" });
  assert.deepEqual(r.filter, { subnet_id: 12, tag: "prod", service: "ssh", q: "web" });
  assert.deepEqual(r.values, { subnet: "12", tag: "prod", service: "ssh", q: "web" });
  assert.equal(r.active, true);
});

Deno.test("alive query: empty, malformed and hostile values are dropped or bounded", () => {
  assert.deepEqual(parseAliveQuery({}), {
    filter: {},
    values: { subnet: "", tag: "", service: "", q: "" },
    active: false,
  });
  for (const subnet of ["abc", "-1", "0", "1.5", "99999999999999999999"]) {
    assert.equal(parseAliveQuery({ subnet }).filter.subnet_id, undefined, subnet);
  }
  const r = parseAliveQuery({ q: `a\u0000b${"x".repeat(500)}`, tag: "\t" });
  assert.equal(r.filter.q, `ab${"x".repeat(198)}`);
  assert.equal(r.filter.tag, undefined);
});
