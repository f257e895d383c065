// The host's place in the inventory (server, organization), its indicators, and the actions the
// viewer may run on it, with the latest runs.
import type { ComponentType } from "preact";
import type { HostInventoryView } from "@/services/operations/mod.ts";
import ActionRunner, { type ActionRunnerProps } from "../islands/ActionRunner.tsx";

const STATUS_CLASS: Record<string, string> = {
  ok: "pill pill-up",
  warning: "pill pill-warn",
  critical: "pill pill-down",
  unknown: "pill pill-unknown",
};

export function HostInventory(p: {
  hostId: number;
  inv: HostInventoryView;
  Sub: "h2" | "h3";
  idPrefix: string;
  Runner?: ComponentType<ActionRunnerProps>;
}) {
  const { inv, Sub } = p;
  const Runner = p.Runner ?? ActionRunner;
  return (
    <>
      <section class="hd-section" aria-labelledby={`${p.idPrefix}-inv`} data-testid="hd-inventory">
        <Sub id={`${p.idPrefix}-inv`} class="hd-h">Inventory</Sub>
        <dl class="hd-facts">
          <div class="hd-fact">
            <dt>Server</dt>
            <dd data-testid="hd-server">
              {inv.server
                ? <a class="link" href={`/inventory/servers/${inv.server.id}`}>{inv.server.name}</a>
                : <span class="muted">—</span>}
            </dd>
          </div>
          <div class="hd-fact">
            <dt>Organization</dt>
            <dd data-testid="hd-organization">
              {inv.organization
                ? (
                  <a class="link" href={`/inventory/organizations/${inv.organization.id}`}>
                    {inv.organization.name}
                  </a>
                )
                : <span class="muted">—</span>}
            </dd>
          </div>
        </dl>
        <p class="hd-label mt-2">Indicators</p>
        {inv.indicators.length === 0
          ? <p class="muted text-sm">None.</p>
          : (
            <ul class="text-sm" data-testid="hd-indicators">
              {inv.indicators.map((i) => (
                <li key={i.name}>
                  <span class={STATUS_CLASS[i.status] ?? "pill"}>{i.status}</span>{" "}
                  <span class="mono">{i.name}</span> {String(i.value ?? "")}
                  {i.unit ? ` ${i.unit}` : ""}
                  {i.source && <span class="muted">· {i.source}</span>}
                </li>
              ))}
            </ul>
          )}
      </section>
      <section class="hd-section" aria-labelledby={`${p.idPrefix}-actions`}>
        <Sub id={`${p.idPrefix}-actions`} class="hd-h">Actions</Sub>
        <Runner hostId={p.hostId} actions={inv.actions} />
        {inv.runs.length > 0 && (
          <p class="text-sm mt-2">
            <a class="link" href={`/operations/runs?host_id=${p.hostId}`}>
              Latest runs
            </a>: {inv.runs.map((r) => `${r.action_name} ${r.status.replace("_", " ")}`).join(", ")}
          </p>
        )}
      </section>
    </>
  );
}
