// What the host drawer and page show from inventory and operations: the host's server and
// organization, its indicators, the actions the viewer may run and its latest runs.
import { indicatorSummary, listIndicators, serverOfHost } from "@/services/inventory/mod.ts";
import type { Queryable } from "@/services/store/mod.ts";
import { listActions, mayRun, type Role } from "./actions.ts";
import { listRuns } from "./action_runs.ts";

export interface HostInventoryView {
  server: { id: number; name: string; role: string } | null;
  organization: { id: number; name: string } | null;
  indicators: Array<{
    name: string;
    value: number | string | null;
    unit: string;
    status: string;
    source: string;
    updated_at: string;
  }>;
  actions: Array<{ id: number; name: string; description: string }>;
  runs: Array<
    {
      id: number;
      action_name: string;
      status: string;
      exit_code: number | null;
      created_at: string;
    }
  >;
}

export async function hostInventory(
  q: Queryable,
  hostId: number,
  role: Role,
): Promise<HostInventoryView> {
  const [server, indicators, actions, runs] = await Promise.all([
    serverOfHost(q, hostId),
    listIndicators(q, { hostId }),
    listActions(q),
    listRuns(q, { hostId, limit: 5 }),
  ]);
  return {
    server: server ? { id: server.id, name: server.name, role: server.role } : null,
    organization: server?.organization_id
      ? { id: server.organization_id, name: server.organization_name ?? "" }
      : null,
    indicators: indicators.map(indicatorSummary),
    actions: actions.filter((a) => mayRun(a, role)).map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
    })),
    runs: runs.slice(0, 5).map((r) => ({
      id: r.id,
      action_name: r.action_name,
      status: r.status,
      exit_code: r.exit_code,
      created_at: r.created_at,
    })),
  };
}
