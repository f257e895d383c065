// What GET /health says in a process without the web UI (ROLE=scanner, scheduler, ingest,
// collector): its roles, its NATS link, a scanner's spool, and the database and KV it has, so a
// container health check or an operator can watch every role, not just the web instances.
import type { Role } from "@/services/config/config.ts";
import type { Db } from "@/services/store/mod.ts";
import { dbHealth, kvHealth } from "@/services/store/mod.ts";
import type { ClusterRuntime } from "./cluster_starter.ts";

export interface RoleHealth {
  /** False answers 503: the NATS link is down, or the database or KV does not answer. */
  ok: boolean;
  body: Record<string, unknown>;
}

export async function roleHealth(o: {
  roles: Role[];
  site: string;
  version: string;
  cluster: ClusterRuntime;
  /** The SQL database, where the process has one (every role but a lone scanner). */
  db: Db | null;
  /** The state store, or a lone scanner's own Deno KV (its spool). */
  kv: { get(key: string[]): Promise<unknown> } | null;
  /** Fields added by background work (the NetFlow collector's counters). */
  extras?: () => Promise<Record<string, unknown>>;
}): Promise<RoleHealth> {
  const [cluster, db, kv, extra] = await Promise.all([
    o.cluster.health(),
    o.db ? dbHealth(o.db) : undefined,
    o.kv ? kvHealth(o.kv) : undefined,
    o.extras ? o.extras() : {},
  ]);
  const ok = cluster.nats === "connected" && (db ?? "ok") === "ok" && (kv ?? "ok") === "ok";
  return {
    ok,
    body: {
      status: ok ? "ok" : "degraded",
      roles: o.roles,
      ...(o.roles.includes("scanner") || o.roles.includes("collector") ? { site: o.site } : {}),
      ...cluster,
      ...(db === undefined ? {} : { db }),
      ...(kv === undefined ? {} : { kv }),
      version: o.version,
      ...extra,
    },
  };
}
