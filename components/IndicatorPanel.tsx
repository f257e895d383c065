// Dashboard card: indicator counts per status as filter links (?indicator=critical) and the
// matching indicators, worst first, each linking to its host or server.
import type { IndicatorRow, IndicatorStatus } from "@/services/inventory/mod.ts";
import { Pill } from "./InventoryUi.tsx";
import { DataTable } from "@/components/DataTable.tsx";

const ORDER: IndicatorStatus[] = ["critical", "warning", "unknown", "ok"];

export function IndicatorPanel(p: {
  counts: Record<IndicatorStatus, number>;
  rows: IndicatorRow[];
  status: IndicatorStatus | null;
}) {
  const total = ORDER.reduce((n, s) => n + p.counts[s], 0);
  if (total === 0) return null;
  return (
    <section
      class="card"
      id="indicators"
      aria-labelledby="indicators-title"
      data-testid="indicator-panel"
    >
      <div class="flex flex-wrap items-center gap-2 mb-2">
        <h2 id="indicators-title" class="text-lg font-bold flex-1">Indicators</h2>
        <nav aria-label="Indicator filter" class="flex gap-2 text-sm">
          <a class="link" href="/#indicators" aria-current={p.status === null ? "true" : undefined}>
            all ({total})
          </a>
          {ORDER.map((s) => (
            <a
              key={s}
              class="link"
              data-testid={`indicator-filter-${s}`}
              href={`/?indicator=${s}#indicators`}
              aria-current={p.status === s ? "true" : undefined}
            >
              {s} ({p.counts[s]})
            </a>
          ))}
        </nav>
      </div>
      {p.rows.length === 0 ? <p class="muted">No indicator is {p.status}.</p> : (
        <DataTable
          label="Indicators"
          testId="indicator-table"
          class="inv-table"
          columns={["Status", "Where", "Name", "Value", "Source", "Updated"]}
        >
          {p.rows.map((r) => (
            <tr key={r.id} data-host-id={r.host_id ?? undefined}>
              <td>
                <Pill status={r.status} />
              </td>
              <td class="mono">
                <a
                  class="link"
                  href={r.host_id ? `/hosts/${r.host_id}` : `/inventory/servers/${r.server_id}`}
                >
                  {r.owner}
                </a>
              </td>
              <td class="mono">{r.name}</td>
              <td>{String(r.value ?? "")} {r.unit}</td>
              <td>{r.source}</td>
              <td>{r.updated_at.replace("T", " ").slice(0, 19)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
