// The sweep service end to end on loopback (real fping; every 127.x answers), with the neighbour
// table and reverse DNS faked: loopback has neither, and no DNS query may leave this machine.
import { openKvStateStore, type StateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { dbTest } from "@/tests/support/test_db.ts";
import type { Db } from "@/services/store/mod.ts";
import {
  type CommandRunner,
  createLiveHub,
  createProbeBudget,
  type LiveEvent,
  runCommand,
} from "@/services/jobs/mod.ts";
import type { Neighbor } from "./neighbors.ts";
import type { PtrLookup } from "./ptr.ts";
import { DEFAULT_SCAN_SCOPE, parseScanScope } from "./scan_scope.ts";
import { readStates } from "./state_store.ts";
import { checkKnownHosts, type DiscoveryEnv, pingHost, sweepSubnet } from "./sweep_service.ts";
import { hostsInScannedSubnets } from "@/services/ipam/mod.ts";

const OUI = { "001B63": "Apple, Inc.\n1 Infinite Loop" };

function env(db: Db, kv: StateStore, over: Partial<DiscoveryEnv> = {}): DiscoveryEnv {
  let clock = Date.UTC(2026, 0, 20, 12, 0, 0);
  return {
    db,
    kv,
    now: () => (clock += 10),
    runner: runCommand,
    tunables: { timeoutMs: 300, retries: 0, maxSweepPrefix: 16 },
    budget: createProbeBudget(8),
    live: null,
    ptr: null,
    neighbors: null,
    oui: () => Promise.resolve(OUI),
    instance: "test",
    scope: () => Promise.resolve(parseScanScope(DEFAULT_SCAN_SCOPE)),
    ...over,
  };
}

async function subnet(db: Db, cidr: string): Promise<number> {
  const [{ id }] = await db.query<{ id: number }>(
    `insert into subnet (cidr) values ($1) returning id`,
    [cidr],
  );
  return id;
}

dbTest("a subnet sweep stores state, history, MAC/vendor and PTR names", async (db) => {
  await using kv = await openKvStateStore(":memory:");
  const id = await subnet(db, "127.0.3.0/30");
  const neighbors = new Map<string, Neighbor>([
    ["127.0.3.1", { ip: "127.0.3.1", mac: "00:1b:63:84:45:e6", dev: "lo", state: "REACHABLE" }],
  ]);
  const names: Record<string, string> = { "127.0.3.2": "printer.example" };
  const ptr: PtrLookup = {
    lookup: (ip) => Promise.resolve(names[ip] ?? null),
    lookupMany: (ips) =>
      Promise.resolve({
        names: new Map(ips.map((ip) => [ip, names[ip] ?? null])),
        pending: 0,
      }),
  };
  const hub = createLiveHub();
  const events: LiveEvent[] = [];
  hub.subscribe((e) => events.push(e));
  const e = env(db, kv, { ptr, neighbors: () => Promise.resolve(neighbors), live: hub });

  const run = await sweepSubnet(e, id, { trigger: "manual" });
  assert.equal(run.status, "succeeded");
  assert.equal(run.method, "fping");
  assert.equal(run.targets, 2);
  assert.deepEqual([run.hosts_up, run.hosts_down, run.hosts_new, run.flips], [2, 0, 2, 0]);
  assert.deepEqual(run.notes, [
    "MAC address learned for 1 hosts",
    "hostname from reverse DNS for 1 hosts",
  ]);
  assert.ok(run.duration_ms > 0);

  const hosts = await db.query<Record<string, unknown>>(
    `select host(ip) as ip, mac, vendor, hostname, subnet_id from host order by host.ip`,
  );
  assert.deepEqual(hosts, [
    {
      ip: "127.0.3.1",
      mac: "00:1b:63:84:45:e6",
      vendor: "Apple, Inc.",
      hostname: null,
      subnet_id: id,
    },
    { ip: "127.0.3.2", mac: null, vendor: null, hostname: "printer.example", subnet_id: id },
  ]);
  const kinds = await db.query<{ kind: string; detail: Record<string, unknown> }>(
    `select kind, detail from host_event order by id`,
  );
  assert.deepEqual(kinds.map((k) => k.kind), ["discovered", "discovered", "hostname_changed"]);
  assert.deepEqual(kinds[2].detail, { from: null, to: "printer.example", source: "ptr" });
  const states = await readStates(kv, ["127.0.3.1", "127.0.3.2"]);
  assert.equal(states.size, 2);
  assert.ok([...states.values()].every((s) => s.up && s.method === "fping"));
  // Answers are stored (and announced) in batches as fping prints them, then the run.
  assert.equal(events.at(-1)?.type, "run");
  const changed = events.flatMap((ev) => ev.type === "hosts" ? ev.changes.map((c) => c.ip) : []);
  assert.deepEqual(changed.toSorted(), ["127.0.3.1", "127.0.3.2"]);

  // The name is known now: the next sweep renames nothing.
  const again = await sweepSubnet(e, id, { trigger: "schedule" });
  assert.deepEqual(again.notes, []);
  assert.equal(again.hosts_new, 0);
});

dbTest("a host ping records a host run and never creates hosts", async (db) => {
  await using kv = await openKvStateStore(":memory:");
  const id = await subnet(db, "127.0.4.0/30");
  const [{ id: hostId }] = await db.query<{ id: number }>(
    `insert into host (ip, subnet_id) values ('127.0.4.1', $1) returning id`,
    [id],
  );
  const run = await pingHost(env(db, kv), hostId, { trigger: "manual", taskId: null });
  assert.equal(run.kind, "host");
  assert.equal(run.host_id, hostId);
  assert.equal(run.subnet_id, id);
  assert.equal(run.target, "127.0.4.1");
  assert.deepEqual([run.hosts_up, run.hosts_down, run.targets], [1, 0, 1]);
  const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from host`);
  assert.equal(n, 1);
});

dbTest(
  "oversized subnets are refused before any probe; failures and aborts are recorded",
  async (db) => {
    await using kv = await openKvStateStore(":memory:");
    const calls: string[] = [];
    const spy: CommandRunner = (cmd, args, opts) => {
      calls.push(cmd);
      return runCommand(cmd, args, opts);
    };
    const big = await subnet(db, "10.0.0.0/15");
    await assert.rejects(sweepSubnet(env(db, kv, { runner: spy }), big, { trigger: "manual" }), {
      code: "subnet_too_large",
    });
    assert.deepEqual(calls, [], "nothing was probed");

    // An aborted sweep keeps no verdicts: unprobed hosts would otherwise read as down.
    const id = await subnet(db, "127.0.5.0/29");
    const ac = new AbortController();
    ac.abort();
    const aborted = await sweepSubnet(env(db, kv), id, { trigger: "schedule", signal: ac.signal });
    assert.equal(aborted.status, "aborted");
    const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from host`);
    assert.equal(n, 0);

    // A sweep that cannot run at all is recorded as failed, and the error surfaces.
    const broken: CommandRunner = () => Promise.reject(new Error("spawn failed: EMFILE"));
    await assert.rejects(
      sweepSubnet(env(db, kv, { runner: broken }), id, { trigger: "manual" }),
      /EMFILE/,
    );
    const runs = await db.query<{ status: string; errors: string[] }>(
      `select status, errors from scan_run order by id`,
    );
    assert.deepEqual(runs.map((r) => r.status), ["aborted", "failed"]);
    assert.match(JSON.stringify(runs[1].errors), /EMFILE/);
  },
);

dbTest(
  "a parent's sweep never probes a child subnet with scanning off, at any depth",
  async (db) => {
    await using kv = await openKvStateStore(":memory:");
    const parent = await subnet(db, "127.0.5.0/27");
    await db.query(`update subnet set scan_enabled = true where id = $1`, [parent]);
    await subnet(db, "127.0.5.8/29"); // scanning off
    const mid = await subnet(db, "127.0.5.16/28"); // scanning on, holding an off grandchild
    await db.query(`update subnet set scan_enabled = true where id = $1`, [mid]);
    await subnet(db, "127.0.5.20/30"); // scanning off, inside the /28
    const probed: string[] = [];
    const runner: CommandRunner = (cmd, args, opts) => {
      if (opts?.stdin) probed.push(...opts.stdin.split("\n").filter(Boolean));
      else probed.push(...args.filter((a) => /^127\./.test(a)));
      return runCommand(cmd, args, opts);
    };
    const run = await sweepSubnet(env(db, kv, { runner }), parent, { trigger: "manual" });
    assert.equal(run.status, "succeeded");
    const expected = [
      ...[1, 2, 3, 4, 5, 6, 7],
      ...[16, 17, 18, 19, 24, 25, 26, 27, 28, 29, 30],
    ].map((n) => `127.0.5.${n}`);
    assert.equal(run.targets, expected.length);
    assert.deepEqual([...new Set(probed)].sort(), [...expected].sort());
    const hosts = await db.query<{ ip: string }>(
      `select host(ip) as ip from host order by host.ip`,
    );
    assert.deepEqual(hosts.map((h) => h.ip), expected);
  },
);

dbTest(
  "sweeps and pings outside the scan scope are refused before anything is probed",
  async (db) => {
    await using kv = await openKvStateStore(":memory:");
    const id = await subnet(db, "127.0.6.0/30");
    const [{ id: hostId }] = await db.query<{ id: number }>(
      `insert into host (ip) values ('127.0.6.1') returning id`,
    );
    let calls = 0;
    const runner: CommandRunner = (cmd, args, opts) => (calls++, runCommand(cmd, args, opts));
    const e = env(db, kv, { runner, scope: () => Promise.resolve(parseScanScope("10.0.0.0/8")) });
    await assert.rejects(sweepSubnet(e, id, { trigger: "manual" }), /outside the scan scope/);
    await assert.rejects(pingHost(e, hostId, { trigger: "manual" }), /outside the scan scope/);
    assert.equal(calls, 0);
    assert.equal((await db.query(`select 1 from scan_run`)).length, 0);
  },
);

dbTest("hosts that answer are stored while fping still runs, once each", async (db) => {
  await using kv = await openKvStateStore(":memory:");
  const id = await subnet(db, "127.0.5.0/28");
  const statusRows = async () =>
    (await db.query<{ n: number }>(`select count(*)::int as n from host_status`))[0].n;
  let storedBeforeFpingReturned = 0;
  // fping itself, but it only hands its result back once the answers it printed are in the
  // database: that can happen only if they were stored while it ran (bounded wait).
  const runner: CommandRunner = async (cmd, args, opts) => {
    const res = await runCommand(cmd, args, opts);
    if (cmd === "fping") {
      for (let i = 0; i < 200 && storedBeforeFpingReturned < 14; i++) {
        storedBeforeFpingReturned = await statusRows();
        if (storedBeforeFpingReturned < 14) await new Promise((r) => setTimeout(r, 25));
      }
    }
    return res;
  };
  const run = await sweepSubnet(env(db, kv, { runner }), id, { trigger: "manual" });
  assert.equal(run.status, "succeeded");
  assert.equal(storedBeforeFpingReturned, 14);
  assert.deepEqual([run.hosts_up, run.hosts_down, run.hosts_new], [14, 0, 14]);
  // One status row and one discovery per host, all with the sweep's one timestamp.
  const rows = await db.query<{ n: number; hosts: number; stamps: number }>(
    `select count(*)::int as n, count(distinct host_id)::int as hosts,
            count(distinct ts)::int as stamps from host_status`,
  );
  assert.deepEqual(rows, [{ n: 14, hosts: 14, stamps: 1 }]);
  const [events] = await db.query<{ n: number }>(
    `select count(*)::int as n from host_event where kind = 'discovered'`,
  );
  assert.equal(events.n, 14);
  assert.equal((await readStates(kv, ["127.0.5.1", "127.0.5.14"])).size, 2);
});

dbTest("a sweep's progress counts the answers while fping still runs", async (db) => {
  await using kv = await openKvStateStore(":memory:");
  const id = await subnet(db, "127.0.7.0/29");
  const notes: string[] = [];
  const run = await sweepSubnet(env(db, kv, { now: Date.now }), id, {
    trigger: "manual",
    progress: (_fraction, note) => (note && notes.push(note), Promise.resolve()),
  });
  assert.equal(run.status, "succeeded");
  const during = notes.filter((n) => /answered so far/.test(n));
  assert.ok(during.length >= 1, `notes: ${notes.join(" | ")}`);
  assert.match(during[0], /^sweeping 6 addresses of 127\.0\.7\.0\/29: \d+ answered so far$/);
});

dbTest(
  "the known-host check pings scanned hosts and stores them as a sweep, with no run row",
  async (db) => {
    await using kv = await openKvStateStore(":memory:");
    const add = async (cidr: string, scan: boolean) =>
      (await db.query<{ id: number }>(
        `insert into subnet (cidr, scan_enabled) values ($1, $2) returning id`,
        [cidr, scan],
      ))[0].id;
    const parent = await add("127.0.40.0/29", true);
    const hole = await add("127.0.40.4/30", false); // a child with scanning off
    const off = await add("127.0.41.0/30", false);
    for (const [ip, sid] of [["127.0.40.1", parent], ["127.0.40.5", hole], ["127.0.41.1", off]]) {
      await db.query(`insert into host (ip, subnet_id) values ($1, $2)`, [ip, sid]);
    }
    await db.query(`insert into host (ip) values ('198.18.0.1')`); // outside the scan scope
    const scanned = await hostsInScannedSubnets(db);
    assert.deepEqual(scanned.map((h) => [h.ip, h.scan_subnet_id, h.scan_cidr, h.site]), [
      ["127.0.40.1", parent, "127.0.40.0/29", "local"],
    ]);

    const hub = createLiveHub();
    const events: LiveEvent[] = [];
    hub.subscribe((e) => events.push(e));
    const e = env(db, kv, { live: hub });
    const stranger = (await db.query<{ id: number }>(
      `select id from host where ip = '198.18.0.1'`,
    ))[0].id;
    const out = await checkKnownHosts(e, [
      ...scanned,
      { id: stranger, ip: "198.18.0.1", subnet_id: null, hostname: null, mac: null },
    ]);
    assert.deepEqual([out.status, out.method, out.targets, out.up, out.down], [
      "succeeded",
      "fping",
      1,
      1,
      0,
    ]);
    const rows = await db.query<{ ip: string; is_up: boolean; method: string }>(
      `select host(h.ip) as ip, s.is_up, s.method from host_status s join host h on h.id = s.host_id`,
    );
    assert.deepEqual(rows, [{ ip: "127.0.40.1", is_up: true, method: "fping" }]);
    const seen = await db.query<{ n: number }>(
      `select count(*)::int as n from host where last_seen_at is not null`,
    );
    assert.equal(seen[0].n, 1);
    const states = await readStates(kv, ["127.0.40.1"]);
    assert.equal(states.get("127.0.40.1")?.up, true);
    assert.ok(events.some((ev) => ev.type === "hosts"), "browsers are told");
    assert.ok(!events.some((ev) => ev.type === "run"), "no run event");
    const runs = await db.query<{ n: number }>(`select count(*)::int as n from scan_run`);
    assert.equal(runs[0].n, 0, "the cycle keeps its own summary, not the run log");
    assert.deepEqual(await checkKnownHosts(e, []), {
      status: "succeeded",
      method: null,
      targets: 0,
      up: 0,
      down: 0,
      flips: 0,
      errors: [],
    });
  },
);
