import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { cleanName, createPtrLookup, ptrEligible, ptrKey, reverseName } from "./ptr.ts";

Deno.test("reverse names for IPv4 and IPv6", () => {
  assert.equal(reverseName("198.51.100.10"), "10.100.51.198.in-addr.arpa.");
  assert.equal(
    reverseName("2001:db8::567:89ab"),
    "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
  );
});

Deno.test("names are cleaned, and junk from a hostile resolver is refused", () => {
  assert.equal(cleanName("Web-1.Example.NET."), "web-1.example.net");
  assert.equal(cleanName("a"), "a");
  assert.equal(cleanName("<script>.example."), null);
  assert.equal(cleanName("bad name.example"), null);
  assert.equal(cleanName(""), null);
  assert.equal(cleanName("x".repeat(254)), null);
});

Deno.test("loopback, link-local and documentation addresses are never looked up", () => {
  // the host's own network is never looked up either
  const hostNetwork = "192.0.2.5"; // host-network guard
  for (const ip of ["127.0.0.1", "::1", "fe80::1", hostNetwork, "198.51.100.7", "2001:db8::1"]) {
    assert.equal(ptrEligible(ip), false, ip);
  }
  for (const ip of ["10.1.2.3", "8.8.4.4", "2a00:1450::1"]) assert.equal(ptrEligible(ip), true, ip);
});

Deno.test("lookups are cached for the TTL, negative answers for the shorter one", async () => {
  await using kv = await openKvStateStore(":memory:");
  const clock = { now: 1_000_000 };
  const asked: string[] = [];
  const answers: Record<string, string[] | Error> = {
    "3.2.1.10.in-addr.arpa.": ["Printer.Lan."],
    "4.2.1.10.in-addr.arpa.": new Deno.errors.NotFound("NXDOMAIN"),
  };
  const ptr = createPtrLookup({
    kv,
    now: () => clock.now,
    ttlMs: 10_000,
    negativeTtlMs: 1_000,
    resolve: (name) => {
      asked.push(name);
      const a = answers[name];
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a ?? []);
    },
  });

  assert.equal(await ptr.lookup("10.1.2.3"), "printer.lan");
  assert.equal(await ptr.lookup("10.1.2.4"), null);
  assert.equal(await ptr.lookup("10.1.2.3"), "printer.lan");
  assert.equal(await ptr.lookup("10.1.2.4"), null);
  assert.equal(asked.length, 2, "second round served from KV");
  assert.equal((await kv.get(ptrKey("10.1.2.3"))).value !== null, true);

  clock.now += 1_500; // negative entry expired, positive not
  await ptr.lookup("10.1.2.3");
  await ptr.lookup("10.1.2.4");
  assert.deepEqual(asked.slice(2), ["4.2.1.10.in-addr.arpa."]);

  clock.now += 10_000;
  answers["3.2.1.10.in-addr.arpa."] = new Error("SERVFAIL");
  assert.equal(await ptr.lookup("10.1.2.3"), "printer.lan", "a failing server keeps the old name");

  assert.equal(await ptr.lookup("127.0.0.1"), null);
  assert.ok(!asked.includes("1.0.0.127.in-addr.arpa."));
});

Deno.test("lookupMany answers from cache and bounds fresh queries per call", async () => {
  await using kv = await openKvStateStore(":memory:");
  let queries = 0;
  const ptr = createPtrLookup({
    kv,
    resolve: (name) => {
      queries++;
      return Promise.resolve([`h${name.split(".")[0]}.example.`]);
    },
  });
  const ips = Array.from({ length: 30 }, (_, i) => `10.0.0.${i + 1}`);
  const first = await ptr.lookupMany([...ips, "127.0.0.1"], { maxQueries: 12, concurrency: 4 });
  assert.equal(queries, 12);
  assert.equal(first.names.size, 12);
  assert.equal(first.pending, 18);
  assert.equal(first.names.get("10.0.0.1"), "h1.example");
  const second = await ptr.lookupMany(ips, { maxQueries: 100 });
  assert.equal(queries, 30, "only the 18 uncached were asked");
  assert.equal(second.names.size, 30);
  assert.equal(second.pending, 0);
});
