import assert from "node:assert/strict";
import { arpScanArgs, parseArpScan, runArpScan } from "./arp_scan.ts";
import type { CommandRunner } from "@/services/jobs/mod.ts";

Deno.test("arp-scan output: one answer per address, MAC lowercased, RTT in ms", () => {
  const found = parseArpScan(
    "198.51.100.10\tBE:E9:23:A1:88:AA\t0.064\n" +
      "198.51.100.20\t2e:c4:21:c0:1e:77\t0.027\n" +
      "198.51.100.20\t2e:c4:21:c0:1e:78\t0.500\n" + // a duplicate reply: the first one stands
      "Interface: eth0, type: EN10MB\n" +
      "garbage\tline\n" +
      "198.51.100.30\t02:00:00:00:00:01\t\n",
  );
  assert.deepEqual([...found.values()], [
    { ip: "198.51.100.10", mac: "be:e9:23:a1:88:aa", rttMs: 0.064 },
    { ip: "198.51.100.20", mac: "2e:c4:21:c0:1e:77", rttMs: 0.027 },
    { ip: "198.51.100.30", mac: "02:00:00:00:00:01", rttMs: null },
  ]);
  assert.equal(parseArpScan("").size, 0);
});

Deno.test("arp-scan arguments: targets on stdin, the interface name checked", () => {
  const args = arpScanArgs("pfab12br", { timeoutMs: 300, retries: 2 });
  assert.ok(args.includes("--interface=pfab12br"));
  assert.ok(args.includes("--numeric") && args.includes("--file=-"));
  assert.ok(args.includes("--retry=2") && args.includes("--timeout=300"));
  assert.throws(() => arpScanArgs("-l", { timeoutMs: 1, retries: 1 }), /not a Linux interface/);
  assert.throws(() => arpScanArgs("eth0 --localnet", { timeoutMs: 1, retries: 1 }));
});

Deno.test("runArpScan turns a missing tool or privilege into a sentence", async () => {
  const missing: CommandRunner = () =>
    Promise.resolve({ code: 127, stdout: "", stderr: "", notFound: true });
  assert.match(
    (await runArpScan(missing, "eth0", ["10.0.0.1"], { timeoutMs: 1, retries: 1, deadlineMs: 1 }))
      .error!,
    /not installed/,
  );
  const denied: CommandRunner = () =>
    Promise.resolve({
      code: 1,
      stdout: "",
      stderr: "pcap_activate: eth0: You don't have permission to perform this capture\n",
    });
  assert.match(
    (await runArpScan(denied, "eth0", ["10.0.0.1"], { timeoutMs: 1, retries: 1, deadlineMs: 1 }))
      .error!,
    /needs root or CAP_NET_RAW/,
  );
  let ran = false;
  const spy: CommandRunner = () => {
    ran = true;
    return Promise.resolve({ code: 0, stdout: "", stderr: "" });
  };
  await runArpScan(spy, "eth0", [], { timeoutMs: 1, retries: 1, deadlineMs: 1 });
  assert.equal(ran, false, "no targets, no packets");
});
