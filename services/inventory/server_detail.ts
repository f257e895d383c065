// A server with its addresses' live status (KV), current open ports and 24 h uptime (discovery).
import { hostUptime } from "@/services/sweeps/mod.ts";
import { readHostStates, statusOf } from "@/services/ipam/mod.ts";
import type { Queryable, StateStore } from "@/services/store/mod.ts";
import { requireServer, type Server } from "./servers.ts";

export interface ServerAddressDetail {
  host_id: number;
  ip: string;
  hostname: string | null;
  status: "up" | "down" | "unknown";
  latency_ms: number | null;
  status_since: string | null;
  open_ports: Array<{ port: number; proto: string; service: string }>;
  uptime_24h: number | null;
}

export type ServerDetail = Omit<Server, "addresses"> & { addresses: ServerAddressDetail[] };

export async function loadServerDetail(
  deps: { db: Queryable; kv: StateStore; now: () => number },
  id: number,
): Promise<ServerDetail> {
  const server = await requireServer(deps.db, id);
  const states = await readHostStates(deps.kv, server.addresses.map((a) => a.ip));
  const ids = server.addresses.map((a) => a.host_id);
  const ports = ids.length === 0 ? [] : await deps.db.query<
    { host_id: number; port: number; proto: string; service: string }
  >(
    `select host_id, port, proto, service from host_open_port
     where current and state = 'open' and host_id = any($1::bigint[]) order by host_id, proto, port`,
    [ids],
  );
  const addresses: ServerAddressDetail[] = [];
  for (const a of server.addresses) {
    const st = states.get(a.ip);
    const up = await hostUptime(deps.db, a.host_id, deps.now());
    addresses.push({
      ...a,
      status: statusOf(st),
      latency_ms: st?.up ? st.latency_ms : null,
      status_since: st?.since ? new Date(st.since).toISOString() : null,
      open_ports: ports.filter((p) => Number(p.host_id) === a.host_id).map((p) => ({
        port: Number(p.port),
        proto: p.proto,
        service: p.service,
      })),
      uptime_24h: up.uptime_24h.ratio,
    });
  }
  return { ...server, addresses };
}
