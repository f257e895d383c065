// Test support for the alerts domain: an Alerts on a test database with a movable clock.
import type { Db } from "@/services/store/mod.ts";
import { parseConfig } from "@/services/config/config.ts";
import { Alerts, type AlertSettings, alertSettings } from "@/services/alerts/mod.ts";
import type { AlertEvent } from "@/services/alerts/mod.ts";

export interface Fixture {
  alerts: Alerts;
  clock: { now: number };
  published: AlertEvent[];
}

export function makeAlerts(
  db: Db,
  env: Record<string, string> = {},
  over: Partial<AlertSettings> = {},
): Fixture {
  const clock = { now: Date.parse("2026-12-01T10:00:00Z") };
  const published: AlertEvent[] = [];
  const cfg = parseConfig({
    ALERT_TARGET_ALLOW: "127.0.0.1/32",
    ALERT_RETRY_BASE_MS: "20",
    ALERT_RETRY_MAX_MS: "100",
    ALERT_POLL_MS: "20",
    ALERT_DELIVERY_TIMEOUT_MS: "2000",
    ...env,
  });
  const alerts = new Alerts({
    db,
    now: () => clock.now,
    settings: { ...alertSettings(cfg), ...over },
    userAgent: "Pingfold/test",
    publish: (e) => published.push(e),
  });
  return { alerts, clock, published };
}

/** A subnet and hosts in it (documentation addresses: stored, never probed). */
export async function seedHosts(
  db: Db,
  cidr = "198.51.100.0/24",
  hosts: Array<{ ip: string; tags?: string[]; name?: string }> = [{ ip: "198.51.100.10" }],
): Promise<{ subnetId: number; hostIds: number[] }> {
  const [s] = await db.query<{ id: number }>(
    `insert into subnet (cidr, name, tags) values ($1, 'lab', '{}') returning id`,
    [cidr],
  );
  const hostIds: number[] = [];
  for (const h of hosts) {
    const [row] = await db.query<{ id: number }>(
      `insert into host (ip, subnet_id, hostname, tags) values ($1, $2, $3, $4::text[])
       returning id`,
      [h.ip, s.id, h.name ?? null, h.tags ?? []],
    );
    hostIds.push(Number(row.id));
  }
  return { subnetId: Number(s.id), hostIds };
}
