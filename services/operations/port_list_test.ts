import assert from "node:assert/strict";
import { parsePortList } from "./port_list.ts";

Deno.test("port lists merge, sort and count", () => {
  assert.deepEqual(parsePortList("80, 22,21-23,1000-1010,1011"), {
    spec: "21-23,80,1000-1011",
    count: 16,
  });
  assert.deepEqual(parsePortList("1-1024"), { spec: "1-1024", count: 1024 });
});

Deno.test("bad port lists name the item", () => {
  for (
    const [input, why] of [
      ["", /empty/],
      ["0", /outside/],
      ["70000", /outside/],
      ["10-5", /backwards/],
      ["22,abc", /"abc" is not a port/],
      ["-p 80", /not a port/],
    ] as const
  ) {
    assert.throws(() => parsePortList(input), (e: Error) => why.test(e.message), input);
  }
});
