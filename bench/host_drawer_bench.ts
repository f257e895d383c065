// Drawer data time with 30 days of history for one host: loadHostDetail over 43,200 per-minute
// status samples (older than HISTORY_RAW_DAYS rolled up to hourly rows by the discovery roll-up),
// 720 hourly port snapshots with their change events, and up/down flips.
//
// Run: deno run -A --unstable-kv bench/host_drawer_bench.ts   (PGlite in memory; nothing is scanned)
import { migrate, openKvStateStore, openPglite } from "@/services/store/mod.ts";
import { setLogLevel } from "@/services/logger.ts";
import { loadHostDetail } from "@/services/dashboard/mod.ts";
import { hostStateKey, insertEvents, type NewEvent, rollUp } from "@/services/sweeps/mod.ts";
import { type PortObservation, storeHostSnapshot } from "@/services/portscans/mod.ts";

export interface BenchResult {
  name: string;
  ms: number;
  note?: string;
}

const DAYS = 30;
const MIN = 60_000;
const RAW_DAYS = 7; // HISTORY_RAW_DAYS default
const RUNS = 21;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Ports seen by the scan at hour `h`: a stable set, a port that comes and goes, an upgrade. */
function portsAt(h: number): PortObservation[] {
  const base = { proto: "tcp", state: "open", probed: true };
  const ports: PortObservation[] = [
    { ...base, port: 22, service: "ssh", product: "OpenSSH", version: "9.2p1" },
    {
      ...base,
      port: 80,
      service: "http",
      product: "nginx",
      version: h < 360 ? "1.24.0" : "1.26.1",
    },
    { ...base, port: 443, service: "https", product: "nginx", version: "1.24.0" },
    { ...base, port: 5432, service: "postgresql", product: "PostgreSQL DB", version: "15" },
    { ...base, port: 9100, service: "jetdirect", product: "", version: "" },
    { ...base, port: 25, state: "filtered", service: "smtp", product: "", version: "" },
  ];
  if (h % 48 < 6) {
    ports.push({ ...base, port: 8080, service: "http", product: "Jetty", version: "9" });
  }
  return ports;
}

export async function benchHostDrawer(): Promise<BenchResult[]> {
  setLogLevel("error");
  const db = await openPglite("memory://");
  const kv = await openKvStateStore(":memory:");
  try {
    await migrate(db);
    const now = Date.UTC(2026, 0, 31, 12, 0);
    const start = now - DAYS * 86_400_000;
    const [{ id }] = await db.query<{ id: number }>(
      `insert into host (ip, hostname) values ('198.51.100.10', 'db-1') returning id`,
    );
    const hostId = Number(id);

    const built = performance.now();
    // One sweep a minute; down for 10 minutes every 6 hours, latency wandering around 1-3 ms.
    await db.query(
      `insert into host_status (host_id, ts, is_up, latency_ms, method)
       select $1, t, not down, case when down then null else 1 + (i % 200) / 100.0 end, 'fping'
       from (select i, to_timestamp(($2::float8 + i::float8 * 60000) / 1000) as t,
                    (i % 360) < 10 as down
             from generate_series(0, $3::int - 1) as i) s`,
      [hostId, start, DAYS * 1440],
    );
    const flips: Array<{ ts: number; ev: NewEvent }> = [];
    for (let i = 0; i < DAYS * 1440; i += 360) {
      flips.push({ ts: start + i * MIN, ev: { hostId, kind: "down", detail: {} } });
      flips.push({ ts: start + (i + 10) * MIN, ev: { hostId, kind: "up", detail: {} } });
    }
    for (const f of flips) await insertEvents(db, new Date(f.ts), [f.ev]);
    const rolled = await rollUp(db, { now, rawDays: RAW_DAYS });

    // An hourly port scan (SCAN_NMAP_INTERVAL_MINUTES default), each stored like a real one.
    for (let h = 0; h < DAYS * 24; h++) {
      const at = start + h * 3_600_000 + 7 * MIN;
      await storeHostSnapshot(db, {
        hostId,
        target: "198.51.100.10",
        ports: portsAt(h),
        coverage: null,
        scan: {
          startedAt: at,
          finishedAt: at + 40_000,
          args: ["-Pn", "-T3", "--top-ports", "1000", "-sT", "-sV"],
          trigger: "schedule",
          batchId: null,
          batchSize: 1,
          instance: "bench",
          taskId: null,
        },
      });
    }
    await kv.set(hostStateKey("198.51.100.10"), {
      up: true,
      latency_ms: 1.4,
      since: now - 3 * 3_600_000,
      last_seen: now,
      method: "fping",
      checked_at: now,
    });
    const buildMs = performance.now() - built;

    const [counts] = await db.query<Record<string, number>>(
      `select (select count(*) from host_status)::int as raw,
              (select count(*) from host_status_hourly)::int as hourly,
              (select count(*) from port_scan)::int as scans,
              (select count(*) from host_open_port)::int as ports,
              (select count(*) from host_event)::int as events`,
    );
    const deps = { db, kv, now: () => now };
    let t = performance.now();
    const first = await loadHostDetail(deps, hostId);
    const coldMs = performance.now() - t;
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      await loadHostDetail(deps, hostId);
      times.push(performance.now() - t);
    }
    if (first.sparkline.length !== 96 || first.ports.length < 6 || first.events.length !== 50) {
      throw new Error("drawer data incomplete: the bench would measure the wrong thing");
    }
    const data = `${counts.raw} raw + ${counts.hourly} hourly status rows ` +
      `(${DAYS * 1440} samples, ${rolled.rawRows} rolled up), ${counts.scans} port scans, ` +
      `${counts.ports} port rows, ${counts.events} events`;
    return [
      {
        name: "drawer data time with 30 days of history for one host (first call)",
        ms: coldMs,
        note: data,
      },
      {
        name: "drawer data time with 30 days of history for one host",
        ms: median(times),
        note: `median of ${RUNS}; PGlite in memory; history built in ${Math.round(buildMs)} ms`,
      },
    ];
  } finally {
    kv.close();
    await db.close();
  }
}

if (import.meta.main) {
  const results = await benchHostDrawer();
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`${"benchmark".padEnd(width)}  ${"ms".padStart(8)}  note`);
  for (const r of results) {
    console.log(`${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(8)}  ${r.note ?? ""}`);
  }
}
