import assert from "node:assert/strict";
import type { CommandRunner } from "@/services/jobs/mod.ts";
import { parseNeighbors, readNeighbors } from "./neighbors.ts";
import { loadOuiTable, vendorOf } from "./oui_vendor.ts";

const SAMPLE = `198.51.100.10 dev pfabcbr lladdr 5E:2D:AA:01:02:03 REACHABLE
198.51.100.11 dev pfabcbr lladdr 00:1b:63:84:45:e6 STALE
198.51.100.12 dev pfabcbr  FAILED
198.51.100.13 dev pfabcbr INCOMPLETE
203.0.113.1 dev eth0 lladdr 02:fc:00:00:00:05 router DELAY
2001:DB8::10 dev pfabcbr lladdr 5e:2d:aa:01:02:04 PERMANENT
fe80::1 dev eth0 lladdr 00:00:00:00:00:00 NOARP
198.51.100.10 dev other lladdr 00:00:5e:00:53:01 STALE
garbage line
`;

Deno.test("the neighbour table gives usable MACs only, normalized", () => {
  const n = parseNeighbors(SAMPLE);
  assert.deepEqual([...n.keys()], [
    "198.51.100.10",
    "198.51.100.11",
    "203.0.113.1",
    "2001:db8::10",
  ]);
  assert.deepEqual(n.get("198.51.100.10"), {
    ip: "198.51.100.10",
    mac: "5e:2d:aa:01:02:03",
    dev: "pfabcbr",
    state: "REACHABLE",
  });
  assert.equal(n.get("203.0.113.1")?.state, "DELAY");
  assert.equal(n.get("2001:db8::10")?.mac, "5e:2d:aa:01:02:04");
});

Deno.test("readNeighbors runs `ip neigh show` and tolerates its absence", async () => {
  const calls: string[][] = [];
  const runner: CommandRunner = (cmd, args) => {
    calls.push([cmd, ...args]);
    return Promise.resolve({ code: 0, stdout: SAMPLE, stderr: "" });
  };
  assert.equal((await readNeighbors(runner)).size, 4);
  assert.deepEqual(calls, [["ip", "neigh", "show"]]);
  const missing: CommandRunner = () =>
    Promise.resolve({ code: 127, stdout: "", stderr: "not found", notFound: true });
  assert.equal((await readNeighbors(missing)).size, 0);
});

Deno.test("vendors come from the IEEE registry, longest assignment first", async () => {
  const oui = await loadOuiTable();
  assert.equal(vendorOf("00:1b:63:84:45:e6", oui), "Apple, Inc.");
  assert.equal(vendorOf("00-00-00-11-22-33", oui), "XEROX CORPORATION");
  // 00:55:DA is split into MA-M blocks: the 7th digit picks the owner.
  assert.equal(vendorOf("00:55:da:01:02:03", oui), "Shinko Technos co.,ltd.");
  assert.equal(vendorOf("00:55:da:11:02:03", oui), "KoolPOS Inc.");
  // Locally administered (random) MACs belong to nobody.
  assert.equal(vendorOf("5e:2d:aa:01:02:03", oui), null);
  assert.equal(vendorOf("not a mac", oui), null);
});
