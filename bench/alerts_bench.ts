// Alert delivery to a real HTTP receiver on loopback, against raw fetch POSTs of the same bodies to
// the same receiver in the same run (the reference), with the same concurrency:
//   1. throughput: N host_down events recorded in one transaction (as one sweep's flips) until
//      the receiver has accepted all N signed deliveries — events/s and the ratio to the reference;
//   2. delay from a flip (the history transaction that records it commits) to its webhook arriving.
// Run: deno run -A --unstable-kv bench/alerts_bench.ts
import { parseConfig } from "@/services/config/config.ts";
import { migrate, openPglite } from "@/services/store/mod.ts";
import { Alerts, alertSettings, createRule, createTarget } from "@/services/alerts/mod.ts";
import { startReceiver } from "@/tests/support/webhook_receiver.ts";

export interface BenchResult {
  name: string;
  ms?: number;
  value?: number;
  unit?: string;
  note?: string;
}

const CONCURRENCY = 8;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchAlerts(quick = false): Promise<BenchResult[]> {
  const n = quick ? 200 : 2000;
  const flips = quick ? 5 : 20;
  const db = await openPglite("memory://");
  await migrate(db);
  const rx = startReceiver();
  const cfg = parseConfig({ ALERT_TARGET_ALLOW: "127.0.0.1/32", ALERT_POLL_MS: "1000" });
  const alerts = new Alerts({
    db,
    now: Date.now,
    settings: { ...alertSettings(cfg), concurrency: CONCURRENCY, perTarget: CONCURRENCY },
    userAgent: "Pingfold/bench",
  });
  try {
    const [s] = await db.query<{ id: number }>(
      `insert into subnet (cidr, name) values ('10.90.0.0/16', 'bench') returning id`,
    );
    const hosts = await db.query<{ id: number }>(
      `insert into host (ip, subnet_id)
       select ('10.90.0.0'::inet + g), $1 from generate_series(1, $2) g returning id`,
      [s.id, n + flips],
    );
    const ids = hosts.map((h) => Number(h.id));
    const { target } = await createTarget(db, {
      name: "bench",
      kind: "webhook",
      url: rx.url,
      secret: "bench-secret",
    }, alerts.settings.policy);
    await createRule(db, {
      name: "bench",
      events: ["host_down"],
      down_after: 1,
      flap_window_s: 0,
      target_ids: [target.id],
    });

    // Reference: the same kind of body, POSTed with fetch at the same concurrency.
    const body = JSON.stringify({ kind: "host_down", summary: "x".repeat(300) });
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        const res = await fetch(rx.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-pingfold-delivery": `ref-${next}` },
          body,
        });
        await res.body?.cancel();
      }
    }));
    const refMs = performance.now() - t0;
    rx.received.length = 0;
    const base = rx.accepted.size;

    // Pingfold: record N flips at once, deliver them all.
    alerts.start();
    const t1 = performance.now();
    await db.tx((tx) =>
      alerts.hostEvents(
        tx,
        Date.now(),
        ids.slice(0, n).map((hostId) => ({ hostId, kind: "down", detail: {} })),
      )
    );
    const recordMs = performance.now() - t1;
    await rx.waitFor(base + n, 300_000);
    const pfMs = performance.now() - t1;

    // Flip → webhook: one flip at a time, the worker idle in between.
    const delays: number[] = [];
    for (let i = 0; i < flips; i++) {
      const want = base + n + i + 1;
      const start = performance.now();
      await db.tx((tx) =>
        alerts.hostEvents(tx, Date.now(), [{ hostId: ids[n + i], kind: "down", detail: {} }])
      );
      await rx.waitFor(want, 30_000);
      delays.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 50));
    }

    const refRate = n / (refMs / 1000);
    const pfRate = n / (pfMs / 1000);
    return [
      {
        name: `raw fetch POSTs, ${n} × ${CONCURRENCY} in flight (reference)`,
        value: refRate,
        unit: "req/s",
      },
      {
        name: `deliveries of ${n} recorded flips (queued in SQL, signed, recorded)`,
        value: pfRate,
        unit: "events/s",
        note: `ratio to reference ${(refRate / pfRate).toFixed(2)}× slower; recording the ` +
          `${n} events and their deliveries took ${Math.round(recordMs)} ms of it (PGlite)`,
      },
      {
        name: `flip → webhook delay, median of ${flips}`,
        ms: median(delays),
        note: `max ${
          Math.round(Math.max(...delays))
        } ms; ALERT_POLL_MS 1000 (wake-up, not polling)`,
      },
    ];
  } finally {
    await alerts.stop();
    await rx.close();
    await db.close();
  }
}

if (import.meta.main) {
  for (const r of await benchAlerts(Deno.env.get("BENCH_QUICK") === "1")) console.log(r);
}
