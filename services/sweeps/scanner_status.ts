// What the scanner health page and GET /api/v1/scanner/subnets show: schedule, lease and last run
// per subnet, and how many hosts are alive now.
import type { Deps } from "@/services/services.ts";
import { hostIpsIn, listSubnetsForScanner } from "@/services/ipam/mod.ts";
import { leaseHolder, leaseKey } from "@/services/jobs/mod.ts";
import { latestRunPerSubnet, type ScanRun } from "./run_log_repo.ts";
import { effectiveIntervalS, type ScheduleEntry, scheduleKey } from "./sweep_scheduler.ts";
import { countUp } from "./state_store.ts";

export interface SubnetScanStatus {
  subnet_id: number;
  cidr: string;
  name: string | null;
  scan_enabled: boolean;
  /** The interval in force: the subnet's, never below SCAN_ICMP_INTERVAL_SECONDS. */
  interval_s: number;
  /** When the scheduler will sweep it next (null: not scheduled yet, or scanning disabled). */
  next_due_at: string | null;
  /** A sweep holds the subnet's lease right now (on any instance). */
  sweeping: boolean;
  last_run: ScanRun | null;
}

export async function subnetScanStatuses(deps: Deps): Promise<SubnetScanStatus[]> {
  const [subnets, latest] = await Promise.all([
    listSubnetsForScanner(deps.db),
    latestRunPerSubnet(deps.db),
  ]);
  const now = deps.now();
  const out: SubnetScanStatus[] = [];
  for (let i = 0; i < subnets.length; i += 10) {
    const chunk = subnets.slice(i, i + 10);
    const schedules = await deps.kv.getMany<ScheduleEntry>(chunk.map((s) => scheduleKey(s.id)));
    for (const [j, s] of chunk.entries()) {
      const entry = schedules[j].value;
      const holder = await leaseHolder(deps.kv, leaseKey("sweep", s.id), now);
      out.push({
        subnet_id: s.id,
        cidr: s.cidr,
        name: s.name,
        scan_enabled: s.scan_enabled,
        interval_s: effectiveIntervalS(s, deps.cfg.SCAN_ICMP_INTERVAL_SECONDS),
        next_due_at: s.scan_enabled ? new Date(entry ? entry.next_due : now).toISOString() : null,
        sweeping: holder !== null,
        last_run: latest.get(s.id) ?? null,
      });
    }
  }
  return out;
}

/** Inventoried hosts up now: inside one prefix (child subnets included) or overall. */
export async function aliveNow(deps: Deps, cidr?: string): Promise<number> {
  return await countUp(deps.kv, await hostIpsIn(deps.db, cidr));
}
