import assert from "node:assert/strict";
import type { CommandRunner } from "@/services/jobs/mod.ts";
import { createArpSweep } from "./arp_sweep.ts";

const IP_JSON = JSON.stringify([{
  ifname: "br0",
  flags: ["UP"],
  addr_info: [{ family: "inet", local: "198.51.100.1", prefixlen: 24 }],
}]);

/** Records what arp-scan would have been asked; answers for .10 only. */
function recorder() {
  const asked: string[][] = [];
  const runner: CommandRunner = (cmd, _args, opts) => {
    if (cmd === "ip") return Promise.resolve({ code: 0, stdout: IP_JSON, stderr: "" });
    asked.push((opts?.stdin ?? "").split("\n").filter(Boolean));
    return Promise.resolve({
      code: 0,
      stdout: "198.51.100.10\t02:00:00:00:00:10\t0.1\n",
      stderr: "",
    });
  };
  return { runner, asked };
}

Deno.test("ARP pass: only in-scope targets of a local subnet are asked", async () => {
  const { runner, asked } = recorder();
  const arp = createArpSweep({
    runner,
    timeoutMs: 100,
    retries: 1,
    scope: () => Promise.resolve((ip: string) => ip !== "198.51.100.11"),
  });
  const pass = await arp.scan("198.51.100.0/24", [
    "198.51.100.10",
    "198.51.100.11",
    "198.51.100.12",
  ]);
  assert.equal(pass.iface, "br0");
  assert.deepEqual(asked, [["198.51.100.10", "198.51.100.12"]]);
  assert.deepEqual([...pass.found.keys()], ["198.51.100.10"]);

  // Off-link: nothing is sent at all.
  const off = await arp.scan("203.0.113.0/24", ["203.0.113.5"]);
  assert.equal(off.iface, null);
  assert.equal(asked.length, 1);
});

Deno.test("ARP pass: a subnet too large is skipped with a note", async () => {
  const { runner, asked } = recorder();
  const arp = createArpSweep({ runner, timeoutMs: 100, retries: 1 });
  const many = Array.from({ length: 5000 }, (_, i) => `198.51.${100 + (i >> 8)}.${i & 255}`);
  const pass = await arp.scan("198.51.100.0/24", many);
  assert.equal(asked.length, 0);
  assert.match(pass.notes.join(), /ARP sweep skipped: more than 4096 addresses/);
});
