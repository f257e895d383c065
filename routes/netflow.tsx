// GET /netflow: traffic for a window — the subnet map, bytes over time, top talkers,
// conversations and ports, and the collector's exporters. Rendered on the server; no script.
import { TrafficChart } from "@/components/TrafficChart.tsx";
import { TrafficMap } from "@/components/TrafficMap.tsx";
import {
  ConversationsTable,
  ExportersTable,
  PortsTable,
  TopTalkersTable,
} from "@/components/TrafficTables.tsx";
import { formatBytes } from "@/shared/format_bytes.ts";
import { AppError } from "@/services/errors.ts";
import {
  DEFAULT_WINDOW,
  exporterViews,
  parseWindow,
  topHosts,
  topPairs,
  topPorts,
  trafficMatrix,
  trafficSeries,
  type TrafficWindow,
  WINDOW_PRESETS,
} from "@/services/netflow/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";

const TOP = 10;

/** datetime-local inputs carry no zone: the page works in UTC and says so. */
function asUtc(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(text) ? `${text}Z` : text;
}

const localInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);

function WindowForm(p: { w: TrafficWindow }) {
  return (
    <form method="get" action="/netflow" class="flex flex-wrap items-end gap-2" role="search">
      <label class="flex flex-col text-sm">
        Window
        <select name="window" class="input">
          {Object.entries(WINDOW_PRESETS).map(([key, v]) => (
            <option value={key} selected={p.w.key === key}>{v.label}</option>
          ))}
          <option value="custom" selected={p.w.key === "custom"}>custom (UTC)</option>
        </select>
      </label>
      <label class="flex flex-col text-sm">
        From (UTC, custom)
        <input
          type="datetime-local"
          name="from"
          class="input"
          value={p.w.key === "custom" ? localInput(p.w.fromMs) : ""}
        />
      </label>
      <label class="flex flex-col text-sm">
        To (UTC, custom)
        <input
          type="datetime-local"
          name="to"
          class="input"
          value={p.w.key === "custom" ? localInput(p.w.toMs) : ""}
        />
      </label>
      <button type="submit" class="btn">Show</button>
    </form>
  );
}

export async function GET(c: AppContext) {
  const deps = c.get("deps");
  const q = c.req.query();
  const now = deps.now();
  let problem: string | null = null;
  let w: TrafficWindow;
  try {
    w = parseWindow({ window: q.window, from: asUtc(q.from), to: asUtc(q.to) }, now);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // A bad window is the reader's typo: say so and show the default instead of an error page.
    problem = err.message;
    w = parseWindow({ window: DEFAULT_WINDOW }, now);
  }
  const [matrix, series, talkers, pairs, ports, exporters] = await Promise.all([
    trafficMatrix(deps.db, w),
    trafficSeries(deps.db, w),
    topHosts(deps.db, w, "host", TOP),
    topPairs(deps.db, w, TOP),
    topPorts(deps.db, w, TOP),
    exporterViews(deps),
  ]);
  const sum = (k: "internal" | "outbound" | "inbound" | "external") =>
    series.reduce((n, p) => n + p[k], 0);
  const total = sum("internal") + sum("outbound") + sum("inbound") + sum("external");
  return page(
    c,
    "NetFlow",
    <div class="flex flex-col gap-4">
      <div class="flex flex-wrap items-baseline justify-between gap-3">
        <h1 class="text-2xl font-bold">NetFlow traffic</h1>
        <WindowForm w={w} />
      </div>
      {problem && <p class="alert" role="alert">{problem} Showing the last hour instead.</p>}
      <p class="flex flex-wrap gap-2" data-testid="traffic-totals">
        <span class="chip">{w.label}</span>
        <span class="chip">total {formatBytes(total)}</span>
        <span class="chip">internal {formatBytes(sum("internal"))}</span>
        <span class="chip">to External {formatBytes(sum("outbound"))}</span>
        <span class="chip">from External {formatBytes(sum("inbound"))}</span>
      </p>
      <div class="grid gap-4 lg:grid-cols-2">
        <section class="card" aria-labelledby="map-title">
          <h2 id="map-title" class="text-lg font-bold mb-2">Subnet map</h2>
          <TrafficMap nodes={matrix.nodes} edges={matrix.edges} />
        </section>
        <section class="card" aria-labelledby="talkers-title">
          <h2 id="talkers-title" class="text-lg font-bold mb-2">Top talkers</h2>
          <TopTalkersTable rows={talkers} />
        </section>
      </div>
      <section class="card" aria-labelledby="chart-title">
        <h2 id="chart-title" class="text-lg font-bold mb-2">Bytes over time</h2>
        <TrafficChart points={series} bucketMs={w.bucketMs} />
      </section>
      <div class="grid gap-4 lg:grid-cols-2">
        <section class="card" aria-labelledby="pairs-title">
          <h2 id="pairs-title" class="text-lg font-bold mb-2">Top conversations</h2>
          <ConversationsTable rows={pairs} />
        </section>
        <section class="card" aria-labelledby="ports-title">
          <h2 id="ports-title" class="text-lg font-bold mb-2">Top ports and protocols</h2>
          <PortsTable rows={ports} />
        </section>
      </div>
      <section class="card" aria-labelledby="exporters-title">
        <h2 id="exporters-title" class="text-lg font-bold mb-2">Exporters</h2>
        <ExportersTable rows={exporters.items} collector={exporters.collector} />
        <p class="text-sm mt-2">
          <a class="link" href="/api/v1/netflow/exporters">Counters (API)</a>
          {" · "}
          <a class="link" href={`/api/v1/netflow/flows?window=${w.key}`}>Raw flows (API)</a>
        </p>
      </section>
    </div>,
  );
}
