// `deno task bench [suite…]`: every benchmark (or the named suites), one table. BENCH_QUICK=1
// shortens the long ones (CI).
import { benchIpamRender } from "./ipam_render_bench.ts";
import { benchDiscovery } from "./discovery_bench.ts";
import { benchHostDrawer } from "./host_drawer_bench.ts";
import { benchNetflow } from "./netflow_bench.ts";
import { benchNetflowFlood } from "./netflow_flood_bench.ts";
import { benchOperations } from "./operations_bench.ts";
import { benchAlerts } from "./alerts_bench.ts";
import { benchClusterIngest } from "./cluster_ingest_bench.ts";
import { benchFleet } from "./fleet_bench.ts";
import { benchLoad } from "./load_bench.ts";

interface Row {
  suite: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

type Raw = { name: string; ms?: number; value?: number; unit?: string; note?: string };

const quick = Deno.env.get("BENCH_QUICK") === "1";

const suites: Array<[string, () => Promise<Raw[]>]> = [
  ["ipam", () => benchIpamRender(quick)],
  ["discovery", () => benchDiscovery(quick ? 1 : 3)],
  ["ports", () => benchHostDrawer()],
  ["netflow", () => benchNetflow()],
  ["netflow-flood", () => benchNetflowFlood(quick)],
  ["operations", () => benchOperations(quick)],
  ["alerts", () => benchAlerts(quick)],
  ["cluster", () => benchClusterIngest(quick)],
  ["fleet", () => benchFleet(quick)],
  ["load", () => benchLoad(quick)],
];

function normalize(suite: string, r: Raw): Row {
  return r.ms !== undefined
    ? { suite, name: r.name, value: r.ms, unit: "ms", note: r.note }
    : { suite, name: r.name, value: r.value ?? NaN, unit: r.unit ?? "", note: r.note };
}

function format(v: number): string {
  if (!Number.isFinite(v)) return "—";
  return Math.abs(v) >= 1000
    ? Math.round(v).toLocaleString("en-US")
    : v.toFixed(Math.abs(v) < 10 ? 3 : 1);
}

// `deno task bench load ipam`: only those suites (an unknown name is an error, not an empty table).
const only = new Set(Deno.args);
for (const name of only) {
  if (!suites.some(([suite]) => suite === name)) {
    console.error(`no suite "${name}"; suites: ${suites.map(([suite]) => suite).join(", ")}`);
    Deno.exit(2);
  }
}
const rows: Row[] = [];
let failed = false;
for (const [suite, run] of suites) {
  if (only.size > 0 && !only.has(suite)) continue;
  console.error(`running ${suite}…`);
  try {
    rows.push(...(await run()).map((r) => normalize(suite, r)));
  } catch (e) {
    failed = true;
    rows.push({ suite, name: "FAILED", value: NaN, unit: "", note: String((e as Error).message) });
  }
}

const cols = ["suite", "benchmark", "value", "unit", "note"];
const table = rows.map((r) => [r.suite, r.name, format(r.value), r.unit, r.note ?? ""]);
const widths = cols.map((c, i) => Math.max(c.length, ...table.map((t) => t[i].length)));
const line = (cells: string[]) =>
  "| " + cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") +
  " |";
console.log(line(cols));
console.log("| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |");
for (const t of table) console.log(line(t));
if (failed) Deno.exit(1);
