import assert from "node:assert/strict";
import { interfaceFor, parseInterfaceAddresses } from "./local_interface.ts";
import { mergeArpAnswers } from "./arp_sweep.ts";

const IP_JSON = JSON.stringify([
  {
    ifname: "lo",
    flags: ["LOOPBACK", "UP"],
    addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8 }],
  },
  {
    ifname: "br0",
    flags: ["BROADCAST", "UP", "LOWER_UP"],
    addr_info: [{ family: "inet", local: "198.51.100.1", prefixlen: 24 }, {
      family: "inet6",
      local: "2001:db8::1",
      prefixlen: 64,
    }],
  },
  {
    ifname: "down0",
    flags: ["BROADCAST"],
    addr_info: [{ family: "inet", local: "203.0.113.1", prefixlen: 24 }],
  },
]);

Deno.test("interfaceFor: only subnets on an up, non-loopback interface", () => {
  const addrs = parseInterfaceAddresses(IP_JSON);
  assert.deepEqual(addrs, [{ ifname: "br0", cidr: "198.51.100.1/24" }]);
  assert.equal(interfaceFor("198.51.100.0/24", addrs), "br0");
  assert.equal(interfaceFor("198.51.100.128/25", addrs), "br0", "a part of the segment");
  assert.equal(interfaceFor("198.51.100.0/23", addrs), "br0", "a subnet holding the segment");
  assert.equal(interfaceFor("203.0.113.0/24", addrs), null, "interface down");
  assert.equal(interfaceFor("127.0.0.0/8", addrs), null, "loopback has no ARP");
  assert.equal(interfaceFor("10.0.0.0/8", addrs), null, "off-link");
  assert.equal(interfaceFor("2001:db8::/64", addrs), null, "IPv6 has no ARP");
  assert.equal(interfaceFor("not a cidr", addrs), null);
  assert.deepEqual(parseInterfaceAddresses("not json"), []);
});

Deno.test("mergeArpAnswers: ARP makes silent hosts up; other verdicts stand", () => {
  const { results, arpOnly } = mergeArpAnswers(
    [
      { ip: "198.51.100.10", up: true, latencyMs: 0.2, method: "fping" },
      { ip: "198.51.100.20", up: false, latencyMs: null, method: "tcp" },
      { ip: "198.51.100.30", up: false, latencyMs: null, method: "tcp" },
    ],
    new Map([
      ["198.51.100.10", { ip: "198.51.100.10", mac: "02:00:00:00:00:10", rttMs: 0.1 }],
      ["198.51.100.20", { ip: "198.51.100.20", mac: "02:00:00:00:00:20", rttMs: 0.05 }],
    ]),
  );
  assert.equal(arpOnly, 1);
  assert.deepEqual(results, [
    { ip: "198.51.100.10", up: true, latencyMs: 0.2, method: "fping" },
    { ip: "198.51.100.20", up: true, latencyMs: 0.05, method: "arp" },
    { ip: "198.51.100.30", up: false, latencyMs: null, method: "tcp" },
  ]);
});
