import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import { rejectsWithAppError } from "@/tests/support/app_error_assert.ts";
import { createSnmpPoller } from "./poller.ts";
import type { SnmpSessionFactory, SnmpTarget } from "./reader.ts";
import { putSettings } from "./settings_repo.ts";
import { hostNameSources } from "./host_names.ts";
import { createHost, createSubnet } from "./test_rows.ts";

/** A stand-in agent per address (the lab test talks to a real snmpd). */
function fakeAgents(names: Record<string, string | Error>) {
  let inFlight = 0;
  let peak = 0;
  const seen: SnmpTarget[] = [];
  const factory: SnmpSessionFactory = (target) => ({
    async get(oids) {
      seen.push(target);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      const answer = names[target.ip];
      if (answer instanceof Error) throw answer;
      return oids.map((oid) => ({
        oid,
        value: new TextEncoder().encode(oid.endsWith(".5.0") ? answer : `descr of ${answer}`),
      }));
    },
    close() {},
  });
  return { factory, seen, peak: () => peak };
}

const timeout = Object.assign(new Error("Request timed out"), { name: "RequestTimedOutError" });

dbTest(
  "after a sweep: due, enabled, in-scope hosts are read under the cap and named",
  async (db) => {
    const subnet = await createSubnet(db, { cidr: "198.51.100.0/24" });
    const ips = Array.from({ length: 8 }, (_, i) => `198.51.100.${10 + i}`);
    const hosts = [];
    for (const ip of ips) hosts.push(await createHost(db, { ip }));
    await putSettings(db, { kind: "subnet", id: subnet.id }, {
      enabled: true,
      version: "v2c",
      port: 161,
      community: "public",
    });
    // .10 has a typed name, .11 a PTR name, .12 opts out, .13 is out of scope, .14 times out.
    await db.query(`update host set hostname = 'typed.lan' where id = $1`, [hosts[0].id]);
    await db.query(
      `update host set hostname = 'ptr.example', hostname_source = 'ptr' where id = $1`,
      [
        hosts[1].id,
      ],
    );
    await putSettings(db, { kind: "host", id: hosts[2].id }, {
      enabled: false,
      version: "v2c",
      port: 161,
      community: "x",
    });
    const names: Record<string, string | Error> = Object.fromEntries(
      ips.map((ip) => [ip, `dev ${ip.split(".")[3]}`]),
    );
    names["198.51.100.14"] = timeout;
    const agents = fakeAgents(names);
    let clock = Date.parse("2026-12-01T10:00:00Z");
    const poller = createSnmpPoller({
      db,
      now: () => clock,
      factory: agents.factory,
      timeoutMs: 100,
      retries: 0,
      concurrency: 2,
      intervalMs: 3_600_000,
      scope: () => Promise.resolve((ip: string) => ip !== "198.51.100.13"),
    });

    const summary = await poller.pollAfterSweep(hosts.map((h) => h.id));
    assert.deepEqual(summary, {
      polled: 6,
      ok: 5,
      failed: 1,
      renamed: 3,
      skipped_out_of_scope: 1,
      deferred: 0,
    });
    assert.ok(agents.peak() <= 2, `at most 2 reads at once, saw ${agents.peak()}`);
    assert.ok(!agents.seen.some((t) => t.ip === "198.51.100.13"), "nothing sent out of scope");
    assert.ok(!agents.seen.some((t) => t.ip === "198.51.100.12"), "opted-out host not read");

    const rows = await db.query<
      { ip: string; hostname: string | null; hostname_source: string | null }
    >(
      `select host(ip) as ip, hostname, hostname_source from host order by ip`,
    );
    assert.deepEqual(rows.map((r) => [r.ip, r.hostname, r.hostname_source]), [
      ["198.51.100.10", "typed.lan", null],
      ["198.51.100.11", "ptr.example", "ptr"],
      ["198.51.100.12", null, null],
      ["198.51.100.13", null, null],
      ["198.51.100.14", null, null],
      ["198.51.100.15", "dev-15", "snmp"],
      ["198.51.100.16", "dev-16", "snmp"],
      ["198.51.100.17", "dev-17", "snmp"],
    ]);
    const typed = await hostNameSources(db, hosts[0].id);
    assert.equal(typed.winner, "entered");
    assert.equal(typed.sys_name, "dev 10", "SNMP's name is still shown as a candidate");
    const events = await db.query<{ detail: { source: string; to: string } }>(
      `select detail from host_event where kind = 'hostname_changed' order by id`,
    );
    assert.deepEqual(events.map((e) => e.detail.source), ["snmp", "snmp", "snmp"]);

    // Within the interval nothing is read again; after it, everyone due is.
    agents.seen.length = 0;
    assert.equal((await poller.pollAfterSweep(hosts.map((h) => h.id))).polled, 0);
    clock += 3_600_001;
    assert.equal((await poller.pollAfterSweep(hosts.map((h) => h.id))).polled, 6);
    assert.equal((await poller.pollAfterSweep([])).polled, 0);
  },
);

dbTest(
  "on demand: a timeout keeps the last name; clear errors for unconfigured hosts",
  async (db) => {
    await createSubnet(db, { cidr: "198.51.100.0/24" });
    const host = await createHost(db, { ip: "198.51.100.20" });
    const bare = await createHost(db, { ip: "198.51.100.21" });
    const names: Record<string, string | Error> = { "198.51.100.20": "sw-20" };
    let outside = "";
    const poller = createSnmpPoller({
      db,
      now: Date.now,
      factory: fakeAgents(names).factory,
      timeoutMs: 100,
      retries: 0,
      concurrency: 4,
      intervalMs: 60_000,
      scope: () => Promise.resolve((ip: string) => ip !== outside),
    });
    await rejectsWithAppError(poller.pollHost(bare.id), 422, "snmp_not_configured");
    await rejectsWithAppError(poller.pollHost(424242), 404, "not_found");
    await putSettings(db, { kind: "host", id: host.id }, {
      enabled: true,
      version: "v2c",
      port: 161,
      community: "c",
    });
    const ok = await poller.pollHost(host.id);
    assert.equal(ok.poll.status, "ok");
    assert.deepEqual(ok.renamed, { from: null, to: "sw-20" });
    names["198.51.100.20"] = timeout;
    const failed = await poller.pollHost(host.id);
    assert.equal(failed.poll.status, "timeout");
    assert.match(failed.poll.error!, /no SNMP answer from 198\.51\.100\.20:161 within 100 ms/);
    assert.equal(failed.poll.sys_name, "sw-20", "the last good reading is kept");
    assert.ok(failed.poll.last_ok_at);
    assert.equal((await hostNameSources(db, host.id)).shown, "sw-20");

    // The scope is read per call: narrowing it stops the next poll before any packet.
    outside = "198.51.100.20";
    const refused = await rejectsWithAppError(poller.pollHost(host.id), 422, "out_of_scope");
    assert.match(refused.message, /outside the scan scope/);
    outside = "";

    await putSettings(db, { kind: "host", id: host.id }, {
      enabled: false,
      version: "v2c",
      port: 161,
    });
    await rejectsWithAppError(poller.pollHost(host.id), 422, "snmp_disabled");
  },
);
