// Ingest of port results from NATS: each result is claimed once in SQL, then its nmap output goes
// through the same scan code as a local scan (a replaying runner), which stores one snapshot per
// host (run row, current ports, change events, alerts) and tells live listeners.
import { type PortscanEnv, scanHosts } from "@/services/portscans/mod.ts";
import type { PortResult } from "./port_job_messages.ts";
import { replayRunner } from "./port_job_messages.ts";

export async function ingestPortResult(
  ports: PortscanEnv,
  r: PortResult,
): Promise<"ingested" | "duplicate"> {
  const claimed = await ports.db.query(
    `insert into ingested_port_result (result_id, site, hosts) values ($1, $2, $3)
     on conflict (result_id) do nothing returning result_id`,
    [r.result_id, r.site, r.hosts.length],
  );
  if (claimed.length === 0) return "duplicate";
  // The scan's own times: the first reading is its start, every later one its end.
  let readings = 0;
  const env: PortscanEnv = {
    ...ports,
    runner: replayRunner(r.runs, r.error ?? undefined),
    now: () => readings++ === 0 ? r.started_at : r.finished_at,
    // The scanner checked the options with its own rights; the replay only has to repeat its calls.
    isRoot: true,
    batchSize: r.hosts.length,
    instance: `${r.site}/${r.instance}`.slice(0, 200),
  };
  try {
    await scanHosts(env, r.hosts, { trigger: "schedule", args: r.args });
  } catch {
    // nmap missing on the scanner, refused options: scanHosts stored a failed scan per host.
  }
  return "ingested";
}
