// GET/POST /: the dashboard — every subnet with used/alive/free, the add-subnet form, and the
// "Alive now" list with its filters (?subnet=&tag=&service=&q=), keyboard navigation and drawer.
import { scanEnableCheck } from "@/services/sweeps/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { island } from "@/web/islands.tsx";
import {
  createSubnetFromForm,
  hostTotals,
  listSubnetSummaries,
  listUpIps,
} from "@/services/ipam/mod.ts";
import { SubnetTable } from "@/components/SubnetTable.tsx";
import { SubnetForm } from "@/components/SubnetForm.tsx";
import { formatCount } from "@/shared/format_count.ts";
import LiveStatus from "@/islands/LiveStatus.tsx";
import { aliveFilterOptions, listAliveHosts, parseAliveQuery } from "@/services/dashboard/mod.ts";
import { aliveCountText, AliveFilterBar, AliveTable } from "@/components/AliveHosts.tsx";
import HostDrawer from "@/islands/HostDrawer.tsx";
import KeyboardNav from "@/islands/KeyboardNav.tsx";
import FilterBar from "@/islands/FilterBar.tsx";
import {
  INDICATOR_STATUSES,
  indicatorCounts,
  type IndicatorStatus,
  listIndicatorRows,
} from "@/services/inventory/mod.ts";
import { IndicatorPanel } from "@/components/IndicatorPanel.tsx";

const LiveStatusIsland = island("LiveStatus", LiveStatus);
const HostDrawerIsland = island("HostDrawer", HostDrawer);
const KeyboardNavIsland = island("KeyboardNav", KeyboardNav);
const FilterBarIsland = island("FilterBar", FilterBar);

interface DashboardState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  createdId?: number;
}

async function render(c: AppContext, state: DashboardState, status = 200) {
  const { db, kv } = c.get("deps");
  const upIps = await listUpIps(kv);
  const { indicator, ...aliveQuery } = c.req.query();
  const filters = parseAliveQuery(aliveQuery);
  const indicatorStatus = (INDICATOR_STATUSES as readonly string[]).includes(indicator ?? "")
    ? indicator as IndicatorStatus
    : null;
  const [subnets, totals, alive, options, indicatorTotals, indicatorRows] = await Promise.all([
    listSubnetSummaries(db, kv, {}, { upIps }),
    hostTotals(db, upIps),
    listAliveHosts(db, kv, filters.filter, upIps),
    aliveFilterOptions(db),
    indicatorCounts(db),
    listIndicatorRows(db, { status: indicatorStatus ?? undefined, limit: 50 }),
  ]);
  const created = subnets.find((s) => s.id === state.createdId);
  const canEdit = c.get("user")?.role !== "viewer";
  return page(
    c,
    "Dashboard",
    <div class="flex flex-col gap-4">
      <div class="flex flex-wrap items-baseline gap-4">
        <h1 id="dash-title" class="text-2xl font-bold">Dashboard</h1>
        <p class="muted" data-testid="totals">
          {formatCount(subnets.length)} subnets · {formatCount(totals.hosts)} hosts ·{" "}
          {formatCount(totals.alive)} alive
        </p>
        <LiveStatusIsland alive={totals.alive} />
      </div>
      {created && (
        <p class="notice" role="status" data-testid="created-notice">
          Subnet <a class="link mono" href={`/subnets/${created.id}`}>{created.cidr}</a> added.
        </p>
      )}
      {canEdit && (
        <section class="card" aria-labelledby="add-subnet-title">
          <h2 id="add-subnet-title" class="text-lg font-bold mb-2">Add a subnet</h2>
          <SubnetForm
            action="/"
            csrf={c.get("csrfToken") ?? ""}
            values={state.values}
            errors={state.errors}
            submitLabel="Add subnet"
            idPrefix="add"
            compact
          />
          <p class="text-sm muted mt-2">
            Description, location and scanning can be set on the subnet's page, or{" "}
            <a class="link" href="/import">import a CSV</a>.
          </p>
        </section>
      )}
      <section class="card" aria-labelledby="subnets-title">
        <div class="flex flex-wrap items-center gap-2 mb-2">
          <h2 id="subnets-title" class="text-lg font-bold flex-1">Subnets</h2>
          <a class="btn btn-quiet" href="/api/v1/export/subnets.csv" download>
            Export subnets CSV
          </a>
          <a class="btn btn-quiet" href="/api/v1/export/hosts.csv" download>Export hosts CSV</a>
        </div>
        <SubnetTable
          subnets={subnets}
          highlightId={state.createdId}
          caption="Subnets with used, alive and free addresses"
        />
      </section>
      <IndicatorPanel counts={indicatorTotals} rows={indicatorRows} status={indicatorStatus} />
      <section class="card alive-section" id="alive" aria-labelledby="alive-title">
        <div class="flex flex-wrap items-center gap-2 mb-2">
          <h2 id="alive-title" class="text-lg font-bold">Alive now</h2>
          <p class="muted flex-1" data-testid="alive-count">
            {aliveCountText(alive.items.length, alive.total)}
            {filters.active && ` matching the filters (${formatCount(alive.alive)} alive in all)`}
          </p>
          <KeyboardNavIsland rowsLabel="list of alive hosts" />
        </div>
        <AliveFilterBar
          formId="alive-filters"
          values={filters.values}
          options={options}
          active={filters.active}
        />
        <FilterBarIsland formId="alive-filters" />
        {alive.items.length > 0
          ? (
            <div class="overflow-x-auto">
              <AliveTable hosts={alive.items} />
            </div>
          )
          : (
            <p class="muted py-3" data-testid="alive-empty">
              {filters.active
                ? "No alive host matches these filters."
                : alive.alive === 0
                ? "No host answers right now. Enable scanning on a subnet to start sweeps."
                : "No alive host."}
            </p>
          )}
        {alive.items.length < alive.total && (
          <p class="muted text-sm mt-2">Narrow the filters to see the others.</p>
        )}
      </section>
      <HostDrawerIsland />
    </div>,
    status,
  );
}

export function GET(c: AppContext) {
  const created = Number(c.req.query("created"));
  return render(c, { createdId: Number.isSafeInteger(created) ? created : undefined });
}

export async function POST(c: AppContext) {
  const outcome = await createSubnetFromForm(c.get("deps").db, await c.req.parseBody(), {
    checkScan: await scanEnableCheck(c.get("deps")),
  });
  if (outcome.ok) {
    return c.redirect(`/?created=${outcome.value.id}#subnet-${outcome.value.id}`, 303);
  }
  return render(c, { values: outcome.raw, errors: outcome.errors }, outcome.status);
}
