// Quick search: how the query is read, and what it finds on both engines.
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { planSearch, quickSearch } from "./search.ts";
import { seedDemo } from "./seed.ts";

Deno.test("planSearch reads addresses, prefixes, CIDRs, MACs, tags and text", () => {
  assert.deepEqual(planSearch(" 127.0.2.10 ").hosts, { ip: "127.0.2.10" });
  assert.equal(planSearch("2001:DB8::1").hosts.ip, "2001:db8::1");
  assert.equal(planSearch("127.0.2.5/24").hosts.within, "127.0.2.0/24");
  assert.equal(planSearch("127.0.2.").kind, "prefix");
  assert.equal(planSearch("2001:db8:").kind, "prefix");
  assert.deepEqual(planSearch("00-00-5E-00-53-01").hosts, { mac: "00:00:5e:00:53:01" });
  assert.deepEqual(planSearch("tag:prod").hosts, { tag: "prod" });
  assert.deepEqual(planSearch("web server").hosts, { q: "web server" });
  assert.equal(planSearch("10.0.0.300/24").kind, "text");
});

dbTest(
  "quickSearch finds the demo data by ip, prefix, cidr, name, tag, note and mac",
  async (db) => {
    await seedDemo(db);
    const ips = async (q: string) => (await quickSearch(db, q)).hosts.map((h) => h.ip);
    assert.deepEqual(await ips("127.0.2.20"), ["127.0.2.20"]);
    const containing = await quickSearch(db, "127.0.2.193");
    assert.deepEqual(containing.subnets.map((s) => s.cidr), ["127.0.2.192/27", "127.0.2.0/24"]);
    assert.deepEqual(await ips("203.0.113.5"), ["203.0.113.53", "203.0.113.54"]);
    assert.deepEqual(await ips("127.0.2.192/27"), ["127.0.2.193", "127.0.2.194"]);
    assert.ok((await ips("db-01")).includes("127.0.2.20"));
    assert.ok((await ips("tag:dns")).includes("203.0.113.53"));
    assert.deepEqual(await ips("Failover"), ["127.0.2.20"]);
    assert.deepEqual(await ips("00:00:5E:00:53:20"), ["127.0.2.20"]);
    assert.deepEqual(await ips("2001:db8:0:20:"), ["2001:db8:0:20::1"]);
    const office = await quickSearch(db, "office");
    assert.ok(office.subnets.some((s) => s.cidr === "198.51.100.0/24"));
    const capped = await quickSearch(db, "example", { limit: 3 });
    assert.equal(capped.hosts.length, 3);
    assert.equal(capped.truncated, true);
  },
);
