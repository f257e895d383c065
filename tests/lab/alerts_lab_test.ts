// Alerts end to end against real network namespaces (needs root; run under flock /tmp/pf-lab.lock):
// a lab host goes down and comes back, real sweeps (fping) record the flips, and exactly one down
// and one up webhook, correctly signed, reach a real HTTP receiver on loopback. A maintenance
// window on another host keeps its outage from being sent while the feed still records it.
import { openKvStateStore } from "@/services/store/mod.ts";
import assert from "node:assert/strict";
import { type Engine, ENGINES, openTestDb } from "@/tests/support/test_db.ts";
import { startReceiver } from "@/tests/support/webhook_receiver.ts";
import { parseConfig } from "@/services/config/config.ts";
import { createDeps } from "@/services/services.ts";
import { VERSION } from "@/web/version.ts";
import { createDiscovery, sweepSubnet } from "@/services/sweeps/mod.ts";
import { createRule, createSilence, createTarget, verify } from "@/services/alerts/mod.ts";
import { TEST_SCAN_SCOPE } from "@/tests/support/test_scope.ts";
import { createLab, labPreflight } from "./netns_lab.ts";

const SUBNET = "198.51.100.0/24";
const ENV = {
  DISABLE_SCHEDULER: "1",
  PTR_LOOKUP_ENABLED: "0",
  PING_TIMEOUT_MS: "300",
  PING_RETRIES: "1",
  ALERT_TARGET_ALLOW: "127.0.0.1/32",
  ALERT_POLL_MS: "50",
  ALERT_RETRY_BASE_MS: "50",
  // The lab's range is a documentation range, outside the default scan scope.
  SCAN_SCOPE: TEST_SCAN_SCOPE,
};

for (const engine of ENGINES) {
  Deno.test({
    name: `lab: a host down and up sends exactly one signed down and one up webhook [${engine}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => run(engine),
  });
}

async function run(engine: Engine) {
  await labPreflight();
  const lab = await createLab({ hosts: [{ ip: "198.51.100.10" }, { ip: "198.51.100.20" }] });
  const rx = startReceiver();
  const { db, dispose } = await openTestDb(engine);
  const kv = await openKvStateStore(":memory:");
  const deps = createDeps({ cfg: parseConfig(ENV), db, kv, now: Date.now, version: VERSION });
  const alerts = deps.services.alerts;
  try {
    const [{ id: subnetId }] = await db.query<{ id: number }>(
      `insert into subnet (cidr, name) values ($1, 'lab') returning id`,
      [SUBNET],
    );
    const { target } = await createTarget(db, {
      name: "receiver",
      kind: "webhook",
      url: rx.url,
      secret: "lab-secret-1",
    }, alerts.settings.policy);
    await createRule(db, {
      name: "lab hosts",
      events: ["host_down", "host_up"],
      subnet_id: subnetId,
      down_after: 2,
      target_ids: [target.id],
    });
    alerts.start();
    const d = createDiscovery(deps, { neighbors: null });
    const sweep = async () => {
      const r = await sweepSubnet(d.env, subnetId, { trigger: "manual" });
      assert.equal(r.status, "succeeded", JSON.stringify(r.errors));
      return r;
    };

    const first = await sweep();
    assert.equal(first.hosts_up, 3); // .1 (the bridge), .10, .20
    const [h20] = await db.query<{ id: number }>(`select id from host where ip = '198.51.100.20'`);
    await createSilence(db, {
      kind: "maintenance",
      host_id: h20.id,
      starts_at: new Date(Date.now() - 60_000).toISOString(),
      ends_at: new Date(Date.now() + 3_600_000).toISOString(),
      reason: "lab maintenance",
    }, Date.now());

    await lab.hostDown("198.51.100.10");
    await lab.hostDown("198.51.100.20");
    assert.equal((await sweep()).flips, 2); // miss 1: recorded, not yet sent (down_after 2)
    await sweep(); // miss 2: the down of .10 is sent; .20 is in maintenance
    await sweep(); // miss 3: nothing new
    await lab.hostUp("198.51.100.10");
    await lab.hostUp("198.51.100.20");
    assert.equal((await sweep()).flips, 2);

    await rx.waitFor(2, 30_000);
    // Whatever else might still come would come now: the queue must be empty and settled.
    for (let i = 0; i < 100; i++) {
      const [open] = await db.query<{ n: number }>(
        `select count(*)::int as n from alert_delivery where status in ('queued', 'sending')`,
      );
      if (open.n === 0 && alerts.worker.busy === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rx.received.length, 2, rx.received.map((r) => r.body).join("\n"));
    const bodies = rx.received.map((r) => JSON.parse(r.body));
    assert.deepEqual(bodies.map((b) => [b.kind, b.host.ip]), [
      ["host_down", "198.51.100.10"],
      ["host_up", "198.51.100.10"],
    ]);
    assert.equal(bodies[0].detail.misses, 2);
    assert.equal(bodies[0].subnet.cidr, SUBNET);
    assert.equal(typeof bodies[1].detail.down_for_s, "number");
    for (const r of rx.received) {
      const ts = Number(r.headers.get("x-pingfold-timestamp"));
      assert.ok(Math.abs(ts - Date.now() / 1000) < 120);
      assert.equal(r.headers.get("x-pingfold-event"), JSON.parse(r.body).kind);
      assert.ok(verify("lab-secret-1", ts, r.body, r.headers.get("x-pingfold-signature")));
    }
    assert.equal(new Set(rx.received.map((r) => r.headers.get("x-pingfold-delivery"))).size, 2);

    // The feed has every flip, the silenced host's too.
    const events = await db.query<{ kind: string; ip: string }>(
      `select kind, payload->'host'->>'ip' as ip from alert_event
       where kind in ('host_down', 'host_up') order by id`,
    );
    assert.deepEqual(events.map((e) => `${e.kind} ${e.ip}`).sort(), [
      "host_down 198.51.100.10",
      "host_down 198.51.100.20",
      "host_up 198.51.100.10",
      "host_up 198.51.100.20",
    ]);
    const [m] = await db.query<{ outcome: string }>(
      `select outcome from alert_match m join alert_event e on e.id = m.event_id
       where e.host_id = $1 and m.kind = 'host_down'`,
      [h20.id],
    );
    assert.equal(m.outcome, "maintenance");
  } finally {
    await alerts.stop();
    await rx.close();
    kv.close();
    await dispose();
    await lab.destroy();
  }
}
