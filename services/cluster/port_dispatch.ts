// Scaled out, a scheduled port scan runs at the hosts' own site: the port scheduler's batch becomes
// one port job per site on that site's job stream, and the batch waits (holding the hosts' leases)
// until ingest has stored a scan of every host, or the nmap deadline has passed.
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { Db } from "@/services/store/mod.ts";
import { log } from "@/services/logger.ts";
import { lastPortScanTimes, type ScanTarget } from "@/services/portscans/mod.ts";
import { PORT_KIND, type PortJob } from "./port_job_messages.ts";
import { ensureJobStream, jobSubject } from "./subjects.ts";

/** Time beyond nmap's own deadline for the job to travel, wait for a scanner and be ingested. */
const SLACK_MS = 120_000;

export function createPortDispatch(o: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  db: Db;
  /** Where hosts without a subnet are scanned (this process's SITE). */
  defaultSite: string;
  replicas: number;
  args: () => string[];
  timeoutMs: number;
  now(): number;
  pollMs?: number;
}): (hosts: ScanTarget[], signal: AbortSignal) => Promise<void> {
  const streams = new Set<string>();
  return async (hosts, signal) => {
    const ids = hosts.map((h) => h.id);
    const rows = await o.db.query<{ id: number; site: string }>(
      `select h.id, coalesce(s.site, $2) as site from host h left join subnet s on s.id = h.subnet_id
       where h.id = any($1::bigint[])`,
      [ids, o.defaultSite],
    );
    const siteOf = new Map(rows.map((r) => [Number(r.id), r.site]));
    const before = await lastPortScanTimes(o.db, ids);
    const bySite = new Map<string, ScanTarget[]>();
    for (const h of hosts) {
      const site = siteOf.get(h.id);
      if (!site) continue; // deleted meanwhile
      bySite.set(site, [...(bySite.get(site) ?? []), h]);
    }
    for (const [site, list] of bySite) {
      if (!streams.has(site)) {
        await ensureJobStream(o.jsm, site, o.replicas);
        streams.add(site);
      }
      const job: PortJob = {
        kind: PORT_KIND,
        job_id: `ports-${crypto.randomUUID()}`,
        site,
        hosts: list,
        args: o.args(),
        timeout_ms: o.timeoutMs,
        issued_at: o.now(),
      };
      await o.js.publish(jobSubject(site), JSON.stringify(job), { msgID: job.job_id });
      log.info("port job issued", { job_id: job.job_id, site, hosts: list.length });
    }
    const wanted = [...bySite.values()].flat().map((h) => h.id);
    const deadline = o.now() + o.timeoutMs * 2 + SLACK_MS;
    const pollMs = o.pollMs ?? 1000;
    while (!signal.aborted && o.now() < deadline) {
      const after = await lastPortScanTimes(o.db, wanted);
      if (wanted.every((id) => after.has(id) && after.get(id) !== before.get(id))) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    if (!signal.aborted) {
      log.warn("port jobs not answered within their deadline; the hosts stay due", {
        hosts: wanted.length,
        sites: [...bySite.keys()],
      });
    }
  };
}
