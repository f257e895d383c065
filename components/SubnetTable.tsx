// The subnets table: the tree by indentation, with used/alive/free and a utilization bar per row.
import type { SubnetSummary } from "@/services/ipam/mod.ts";
import { formatCount } from "../shared/format_count.ts";
import { intervalWords } from "../shared/scan_interval.ts";
import { UtilizationBar } from "./UtilizationBar.tsx";
import { SweepButton } from "./SweepButton.tsx";

export interface SubnetTableProps {
  subnets: SubnetSummary[];
  /** Extra columns for the /subnets page: location, tags, scanning. */
  detailed?: boolean;
  /** A row to highlight (just created). */
  highlightId?: number;
  caption?: string;
  /** A "Sweep now" button per row (the page adds the SweepNow island once). */
  sweep?: boolean;
  /** Set when a filter is applied: the empty state then says nothing matches it. */
  filter?: string;
}

export function SubnetTable(p: SubnetTableProps) {
  if (p.subnets.length === 0 && p.filter) {
    return (
      <p class="muted" data-testid="no-subnets">
        No subnet matches {p.filter}. <a class="link" href="/subnets">Show all subnets</a>
      </p>
    );
  }
  if (p.subnets.length === 0) {
    return (
      <p class="muted" data-testid="no-subnets">
        No subnets yet. Add one with the form, import a CSV, or run <code>deno task seed</code>{" "}
        for demo data.
      </p>
    );
  }
  return (
    <div class="overflow-x-auto">
      <table class="table subnet-table" data-testid="subnet-table">
        {p.caption && <caption class="sr-only">{p.caption}</caption>}
        <thead>
          <tr>
            <th scope="col">Subnet</th>
            <th scope="col">Name</th>
            <th scope="col" class="hide-sm">VLAN</th>
            {p.detailed && <th scope="col" class="hide-sm">Location</th>}
            {p.detailed && <th scope="col" class="hide-sm">Tags</th>}
            <th scope="col" class="text-right">Used</th>
            <th scope="col" class="text-right">Alive</th>
            <th scope="col" class="text-right">Free</th>
            <th scope="col" class="w-40">Utilization</th>
            {p.detailed && <th scope="col" class="hide-sm">Scan</th>}
            {p.sweep && <th scope="col">Sweep</th>}
          </tr>
        </thead>
        <tbody>
          {p.subnets.map((s) => (
            <tr
              id={`subnet-${s.id}`}
              data-cidr={s.cidr}
              class={s.id === p.highlightId ? "row-new" : undefined}
            >
              <td class="mono whitespace-nowrap">
                <span style={`padding-left: ${s.depth * 1.25}rem`}>
                  {s.depth > 0 && <span class="muted" aria-hidden="true">└</span>}
                  <a class="link" href={`/subnets/${s.id}`}>{s.cidr}</a>
                </span>
              </td>
              <td>{s.name ?? <span class="muted">—</span>}</td>
              <td class="hide-sm">{s.vlan ?? ""}</td>
              {p.detailed && <td class="hide-sm">{s.location ?? ""}</td>}
              {p.detailed && (
                <td class="hide-sm">
                  {s.tags.map((t) => <span key={t} class="chip mr-1">{t}</span>)}
                </td>
              )}
              <td class="text-right tabular-nums" data-col="used">
                {formatCount(s.utilization.used)}
              </td>
              <td class="text-right tabular-nums" data-col="alive">
                {formatCount(s.utilization.alive)}
              </td>
              <td class="text-right tabular-nums" data-col="free">
                {formatCount(s.utilization.free)}
              </td>
              <td>
                <UtilizationBar
                  percent={s.utilization.percent_used}
                  used={s.utilization.used}
                  usable={s.utilization.usable}
                />
              </td>
              {p.detailed && (
                <td class="hide-sm">
                  {s.scan_enabled
                    ? `every ${intervalWords(s.scan_interval_s)}`
                    : <span class="muted">off</span>}
                </td>
              )}
              {p.sweep && (
                <td class="whitespace-nowrap">
                  <SweepButton subnetId={s.id} cidr={s.cidr} compact />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
