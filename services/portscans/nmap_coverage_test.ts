import assert from "node:assert/strict";
import { covers, parsePortList, probedKey, readNmapRunInfo } from "./nmap_coverage.ts";
import { nmapReport } from "@/tests/support/nmap_fixture.ts";

Deno.test("parsePortList reads nmap's compressed lists and refuses anything else", () => {
  assert.deepEqual(parsePortList("1,3-4,6-7,9"), [[1, 1], [3, 4], [6, 7], [9, 9]]);
  assert.deepEqual(parsePortList("80,22,21-23"), [[21, 23], [80, 80]]);
  assert.deepEqual(parsePortList("1-65535"), [[1, 65535]]);
  assert.equal(parsePortList("1-70000"), null);
  assert.equal(parsePortList("9-3"), null);
  assert.equal(parsePortList("http"), null);
});

Deno.test("covers answers per protocol; unknown coverage means everything", () => {
  const info = readNmapRunInfo(nmapReport([], { tcp: "1-100,443,8000-8100", udp: "53" }));
  assert.ok(info.coverage);
  assert.ok(covers(info.coverage, "tcp", 1));
  assert.ok(covers(info.coverage, "tcp", 443));
  assert.ok(covers(info.coverage, "tcp", 8080));
  assert.ok(!covers(info.coverage, "tcp", 444));
  assert.ok(!covers(info.coverage, "tcp", 8101));
  assert.ok(covers(info.coverage, "udp", 53));
  assert.ok(!covers(info.coverage, "udp", 54));
  assert.ok(!covers(info.coverage, "sctp", 53));
  assert.ok(covers(null, "tcp", 9));
  assert.equal(readNmapRunInfo("<nmaprun></nmaprun>").coverage, null);
});

Deno.test("timed-out hosts and version-probed ports are read from the report", () => {
  const xml = nmapReport([
    ["198.51.100.10", {
      ports: [
        { port: 22, service: "ssh", product: "OpenSSH", method: "probed" },
        { port: 8080, service: "http-proxy" },
      ],
    }],
    ["198.51.100.11", { timedout: true, ports: [] }],
    ["2001:db8:0:0::5", { ports: [{ port: 443, service: "https", method: "probed" }] }],
  ]);
  const info = readNmapRunInfo(xml);
  assert.deepEqual([...info.timedOut], ["198.51.100.11"]);
  assert.ok(info.probed.has(probedKey("198.51.100.10", "tcp", 22)));
  assert.ok(!info.probed.has(probedKey("198.51.100.10", "tcp", 8080)));
  // Addresses are normalized like the parsed hosts' (2001:db8::5, not nmap's spelling).
  assert.ok(info.probed.has(probedKey("2001:db8::5", "tcp", 443)));
});

Deno.test("hostile banner text cannot fake a timed-out host or a probed port", () => {
  const xml = nmapReport([
    ["198.51.100.10", {
      ports: [{
        port: 80,
        service: "http",
        product: `<host timedout="true"><address addr="198.51.100.10" addrtype="ipv4"/>`,
        version: `method="probed"`,
      }],
    }],
  ]);
  const info = readNmapRunInfo(xml);
  assert.equal(info.timedOut.size, 0);
  assert.equal(info.probed.size, 0);
});
