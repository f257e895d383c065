// GET /operations/scans/:id: one scan result — summary, open ports or answering addresses, and the
// JSON / CSV export buttons.
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { getScanResult } from "@/services/operations/mod.ts";
import { Card, Pill } from "@/components/InventoryUi.tsx";
import { pathId } from "../../inventory/_forms.ts";
import { summaryText } from "./index.tsx";
import { DataTable } from "@/components/DataTable.tsx";

export async function GET(c: AppContext) {
  const id = pathId(c.req.param("id"), "scan result");
  const r = await getScanResult(c.get("deps").db, id);
  const alive = (r.summary.alive ?? []) as Array<
    { ip: string; latency_ms: number | null; method: string }
  >;
  const attempts = (r.summary.attempts ?? []) as Array<
    { method: string; up: boolean; latency_ms: number | null; error: string | null }
  >;
  return page(
    c,
    `Scan ${r.id}`,
    <div class="flex flex-col gap-4">
      <nav class="text-sm">
        <a class="link" href="/operations/scans">Scans</a> › {r.id}
      </nav>
      <div class="flex flex-wrap items-baseline gap-3">
        <h1 class="text-2xl font-bold">
          {r.kind.replace("_", " ")} of <span class="mono">{r.target}</span>
        </h1>
        <Pill status={r.status} />
        <span data-testid="scan-summary">
          {summaryText(r.kind, r.summary, r.open_ports.length)}
        </span>
      </div>
      <p class="flex gap-2">
        <a
          class="btn btn-quiet"
          data-testid="export-json"
          href={`/api/v1/scans/${r.id}/export?format=json`}
          download
        >
          Export JSON
        </a>
        <a
          class="btn btn-quiet"
          data-testid="export-csv"
          href={`/api/v1/scans/${r.id}/export?format=csv`}
          download
        >
          Export CSV
        </a>
        {r.host_id && <a class="btn btn-quiet" href={`/hosts/${r.host_id}`}>Host page</a>}
      </p>
      <Card title="Result" id="scan-result">
        <dl class="hd-facts">
          <div class="hd-fact">
            <dt>Source</dt>
            <dd>{r.source}</dd>
          </div>
          <div class="hd-fact">
            <dt>Started</dt>
            <dd>{r.started_at}</dd>
          </div>
          <div class="hd-fact">
            <dt>Finished</dt>
            <dd>{r.finished_at ?? "—"}</dd>
          </div>
          <div class="hd-fact">
            <dt>By</dt>
            <dd>{r.username ?? "—"}</dd>
          </div>
        </dl>
        {r.open_ports.length > 0 && (
          <DataTable
            label="Open ports"
            testId="scan-ports"
            class="inv-table mt-3"
            columns={["Port", "Proto", "State", "Service", "Product", "Version"]}
          >
            {r.open_ports.map((p) => (
              <tr key={`${p.proto}${p.port}`}>
                <td class="mono">{p.port}</td>
                <td>{p.proto}</td>
                <td>{p.state}</td>
                <td>{p.service}</td>
                <td>{p.product}</td>
                <td>{p.version}</td>
              </tr>
            ))}
          </DataTable>
        )}
        {alive.length > 0 && (
          <DataTable
            label="Addresses that answered"
            testId="scan-alive"
            class="inv-table mt-3"
            columns={["Address", "Latency", "Method"]}
          >
            {alive.map((a) => (
              <tr key={a.ip}>
                <td class="mono">{a.ip}</td>
                <td>{a.latency_ms ?? ""} ms</td>
                <td>{a.method}</td>
              </tr>
            ))}
          </DataTable>
        )}
        {attempts.length > 0 && (
          <ul class="text-sm mt-3">
            {attempts.map((a) => (
              <li key={a.method}>
                {a.method}: {a.up ? `answered in ${a.latency_ms} ms` : "no answer"}
                {a.error && <span class="muted">({a.error})</span>}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>,
  );
}
