import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { bigIntToIp, ipToBigInt, parseCidr, parseIp } from "./cidr.ts";
import {
  drawGap,
  expandGap,
  foldAddresses,
  type FoldedRow,
  foldSortedValues,
  nextFree,
  utilization,
} from "./fold.ts";

type Host = { ip: string; hostname?: string };

function rowsText(rows: FoldedRow<Host>[]): string[] {
  return rows.map((r) =>
    r.kind === "gap" ? `gap ${r.first}-${r.last} (${r.count})` : `host ${r.ip}`
  );
}

Deno.test("foldAddresses: hosts and gaps in address order, unsorted input", () => {
  const hosts: Host[] = [
    { ip: "203.0.113.10", hostname: "b" },
    { ip: "203.0.113.1", hostname: "gw" },
    { ip: "203.0.113.11" },
    { ip: "198.51.100.1" }, // outside
    { ip: "2001:db8::1" }, // other family
    { ip: "not an ip" }, // ignored
    { ip: "203.0.113.200" },
  ];
  const rows = foldAddresses("203.0.113.0/24", hosts);
  assert.deepEqual(rowsText(rows), [
    "host 203.0.113.1",
    "gap 203.0.113.2-203.0.113.9 (8)",
    "host 203.0.113.10",
    "host 203.0.113.11",
    "gap 203.0.113.12-203.0.113.199 (188)",
    "host 203.0.113.200",
    "gap 203.0.113.201-203.0.113.254 (54)",
  ]);
  // host rows keep the caller's fields and get the discriminant
  assert.deepEqual(rows[0], { ip: "203.0.113.1", hostname: "gw", kind: "host" });
});

Deno.test("foldAddresses: empty subnet is one gap over the usable range", () => {
  assert.deepEqual(foldAddresses("203.0.113.0/24", []), [
    { kind: "gap", first: "203.0.113.1", last: "203.0.113.254", count: "254" },
  ]);
  assert.deepEqual(foldAddresses("203.0.113.0/24", [], { includeReserved: true }), [
    { kind: "gap", first: "203.0.113.0", last: "203.0.113.255", count: "256" },
  ]);
  assert.deepEqual(foldAddresses("203.0.113.8/31", []), [
    { kind: "gap", first: "203.0.113.8", last: "203.0.113.9", count: "2" },
  ]);
  assert.deepEqual(foldAddresses("203.0.113.8/32", [{ ip: "203.0.113.8" }]), [
    { ip: "203.0.113.8", kind: "host" },
  ]);
});

Deno.test("foldAddresses: hosts on network/broadcast are shown, full subnet has no gaps", () => {
  const rows = foldAddresses("203.0.113.0/30", [
    { ip: "203.0.113.3" },
    { ip: "203.0.113.0" },
    { ip: "203.0.113.2" },
  ]);
  assert.deepEqual(rowsText(rows), [
    "host 203.0.113.0",
    "gap 203.0.113.1-203.0.113.1 (1)",
    "host 203.0.113.2",
    "host 203.0.113.3",
  ]);
  const full = foldAddresses("203.0.113.0/30", [{ ip: "203.0.113.2" }, { ip: "203.0.113.1" }]);
  assert.deepEqual(rowsText(full), ["host 203.0.113.1", "host 203.0.113.2"]);
});

Deno.test("foldAddresses: IPv6 /64 with 1000 hosts gives exact gap counts", () => {
  const hosts: Host[] = [];
  for (let i = 1000; i >= 1; i--) hosts.push({ ip: `2001:db8::${(i * 16).toString(16)}` });
  const rows = foldAddresses("2001:db8::/64", hosts);
  const gaps = rows.filter((r) => r.kind === "gap");
  const hostRows = rows.filter((r) => r.kind === "host");
  assert.equal(hostRows.length, 1000);
  assert.equal(hostRows[0].ip, "2001:db8::10");
  assert.equal(hostRows[999].ip, "2001:db8::3e80");
  assert.equal(gaps.length, 1001);
  assert.deepEqual(gaps[0], {
    kind: "gap",
    first: "2001:db8::1",
    last: "2001:db8::f",
    count: "15",
  });
  const tail = gaps[gaps.length - 1];
  assert.equal(tail.first, "2001:db8::3e81");
  assert.equal(tail.last, "2001:db8::ffff:ffff:ffff:ffff");
  assert.equal(tail.count, ((1n << 64n) - 0x3e81n).toString());
  // every usable address is either a host or inside exactly one gap
  const total = gaps.reduce((sum, g) => sum + BigInt(g.count), 0n) + BigInt(hostRows.length);
  assert.equal(total, (1n << 64n) - 1n);
});

Deno.test("foldAddresses: 5000 random hosts in a /16 cover the range exactly once", () => {
  const cidr = parseCidr("198.18.0.0/16");
  const seen = new Set<number>();
  const hosts: Host[] = [];
  let seed = 42;
  while (hosts.length < 5000) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const offset = 1 + (seed % 65534);
    if (seen.has(offset)) continue;
    seen.add(offset);
    hosts.push({ ip: bigIntToIp(cidr.first + BigInt(offset), 4) });
  }
  const rows = foldAddresses(cidr, hosts);
  let expected = cidr.first + 1n;
  for (const r of rows) {
    if (r.kind === "host") {
      const v = ipToBigInt(r.ip);
      assert.equal(v, expected, `host ${r.ip} out of order`);
      expected = v + 1n;
    } else {
      assert.equal(ipToBigInt(r.first), expected, `gap ${r.first} misplaced`);
      const last = ipToBigInt(r.last);
      assert.equal(BigInt(r.count), last - expected + 1n);
      expected = last + 1n;
    }
  }
  assert.equal(expected, cidr.last); // stopped just before the broadcast address
  assert.equal(rows.filter((r) => r.kind === "host").length, 5000);
});

Deno.test("expandGap: pages through a gap", () => {
  const p1 = expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { limit: 3 });
  assert.deepEqual(p1, {
    items: ["203.0.113.2", "203.0.113.3", "203.0.113.4"],
    total: "8",
    next_offset: 3,
  });
  const p3 = expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { offset: 6, limit: 3 });
  assert.deepEqual(p3, { items: ["203.0.113.8", "203.0.113.9"], total: "8", next_offset: null });
  const exact = expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { offset: 4, limit: 4 });
  assert.equal(exact.next_offset, null);
  const past = expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { offset: 100 });
  assert.deepEqual(past, { items: [], total: "8", next_offset: null });
  const big = expandGap("2001:db8::/64", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff", {
    limit: 1024,
  });
  assert.equal(big.items.length, 1024);
  assert.equal(big.items[1023], "2001:db8::400");
  assert.equal(big.total, ((1n << 64n) - 1n).toString());
  assert.equal(big.next_offset, 1024);
  assert.equal(expandGap("203.0.113.0/24", "203.0.113.1", "203.0.113.254").items.length, 254);
});

Deno.test("expandGap: validates range and paging", () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof AppError);
      assert.equal(err.status, 422);
      return `${err.code}: ${err.message}`;
    }
    assert.fail("expected a 422");
  };
  assert.equal(
    code(() => expandGap("203.0.113.0/24", "203.0.113.0", "203.0.113.9")),
    "invalid_gap: gap 203.0.113.0..203.0.113.9 is outside the usable range 203.0.113.1..203.0.113.254 of 203.0.113.0/24",
  );
  assert.match(
    code(() => expandGap("203.0.113.0/24", "203.0.113.250", "203.0.114.1")),
    /^invalid_gap/,
  );
  assert.match(
    code(() => expandGap("203.0.113.0/24", "203.0.113.9", "203.0.113.2")),
    /first is after last/,
  );
  assert.match(code(() => expandGap("203.0.113.0/24", "2001:db8::1", "2001:db8::2")), /not IPv4/);
  assert.match(
    code(() => expandGap("203.0.113.0/24", "203.0.113.999", "203.0.113.2")),
    /^invalid_ip/,
  );
  assert.match(
    code(() => expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { limit: 1025 })),
    /^invalid_limit/,
  );
  assert.match(
    code(() => expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { limit: 0 })),
    /^invalid_limit/,
  );
  assert.match(
    code(() => expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { offset: -1 })),
    /^invalid_offset/,
  );
  assert.match(
    code(() => expandGap("203.0.113.0/24", "203.0.113.2", "203.0.113.9", { offset: 1.5 })),
    /^invalid_offset/,
  );
  // with includeReserved the network address is a valid gap start
  assert.equal(
    expandGap("203.0.113.0/24", "203.0.113.0", "203.0.113.1", { includeReserved: true }).items[0],
    "203.0.113.0",
  );
});

Deno.test("nextFree: lowest free usable address", () => {
  assert.equal(nextFree("203.0.113.0/24", []), "203.0.113.1");
  assert.equal(
    nextFree("203.0.113.0/24", ["203.0.113.1", "203.0.113.2", "203.0.113.4", "203.0.113.0"]),
    "203.0.113.3",
  );
  assert.equal(nextFree("203.0.113.0/30", ["203.0.113.2", "203.0.113.1"]), null);
  assert.equal(nextFree("203.0.113.0/31", ["203.0.113.0"]), "203.0.113.1");
  assert.equal(nextFree("2001:db8::/64", ["2001:db8::1", "2001:db8::2", "junk"]), "2001:db8::3");
});

Deno.test("utilization: exact strings, floored percent", () => {
  assert.deepEqual(utilization("203.0.113.0/24", 127, 100), {
    size: "256",
    usable: "254",
    used: "127",
    alive: "100",
    free: "127",
    percent_used: 50,
  });
  assert.equal(utilization("203.0.113.0/24", 253, 0).percent_used, 99.6);
  assert.equal(utilization("203.0.113.0/24", 300, 0).free, "0");
  assert.equal(utilization("203.0.113.0/24", 300, 0).percent_used, 100);
  const v6 = utilization("2001:db8::/64", 1000, 10);
  assert.equal(v6.size, "18446744073709551616");
  assert.equal(v6.usable, "18446744073709551615");
  assert.equal(v6.free, "18446744073709550615");
  assert.equal(v6.percent_used, 0);
  assert.throws(() => utilization("203.0.113.0/24", -1, 0), /usedCount must be an integer >= 0/);
  assert.throws(() => utilization("203.0.113.0/24", 1, 0.5), /aliveCount must be an integer >= 0/);
});

Deno.test("foldSortedValues folds like foldAddresses, without drawing text", () => {
  const cidr = "198.51.100.0/24";
  const hosts = ["198.51.100.1", "198.51.100.10", "198.51.100.255"].map((ip) => ({
    ip,
    value: parseIp(ip).value,
  }));
  const marks = foldSortedValues(cidr, hosts);
  const drawn = marks.map((m) => (m.kind === "host" ? m.ip : drawGap(m, 4)));
  const folded = foldAddresses(cidr, hosts.map(({ ip }) => ({ ip }))).map((r) =>
    r.kind === "host" ? r.ip : r
  );
  assert.deepEqual(drawn, folded);
});
