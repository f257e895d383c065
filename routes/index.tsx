// GET/POST /: the dashboard, what is wrong first — down now, up/down/unknown per subnet, latest
// changes, then subnets with utilization (paged, ?dp= and ?sp=), the add-subnet form behind a
// button, indicators, and the "Alive now" list with its filters (?subnet=&tag=&service=&q=) and
// pages (?ap=). `?format=json` is the board's data, which its live island re-reads.
import { subnetWriteOptions } from "@/services/sweeps/mod.ts";
import type { AppContext } from "@/web/env.ts";
import { page } from "@/web/render.tsx";
import { cachedPage } from "@/web/page_cache.ts";
import { island } from "@/web/islands.tsx";
import { createSubnetFromForm } from "@/services/ipam/mod.ts";
import { SubnetForm } from "@/components/SubnetForm.tsx";
import LiveStatus from "@/islands/LiveStatus.tsx";
import { type DashboardData, loadDashboard, parseAliveQuery } from "@/services/dashboard/mod.ts";
import { AliveFilterBar, AliveTable } from "@/components/AliveHosts.tsx";
import HostDrawer from "@/islands/HostDrawer.tsx";
import KeyboardNav from "@/islands/KeyboardNav.tsx";
import FilterBar from "@/islands/FilterBar.tsx";
import { INDICATOR_STATUSES, type IndicatorStatus } from "@/services/inventory/mod.ts";
import { IndicatorPanel } from "@/components/IndicatorPanel.tsx";
import { type DashboardBoardView, Pager } from "@/components/StatusBoard.tsx";
import DashboardBoard from "@/islands/DashboardBoard.tsx";
import AliveListLive from "@/islands/AliveListLive.tsx";
import PingButton from "@/islands/PingButton.tsx";

const LiveStatusIsland = island("LiveStatus", LiveStatus);
const HostDrawerIsland = island("HostDrawer", HostDrawer);
const KeyboardNavIsland = island("KeyboardNav", KeyboardNav);
const FilterBarIsland = island("FilterBar", FilterBar);
const DashboardBoardIsland = island("DashboardBoard", DashboardBoard);
const AliveListLiveIsland = island("AliveListLive", AliveListLive);
const PingButtonIsland = island("PingButton", PingButton);

/** Rows per page: no list on the dashboard renders more than a screenful or two. */
export const DASHBOARD_PAGE = { down: 10, statusSubnets: 8, subnets: 25, alive: 50 } as const;
const PAGE_KEYS = ["dp", "sp", "ap", "created", "deleted", "format"];

function pageParam(c: AppContext, key: string): number {
  const raw = c.req.query(key) ?? "";
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, n);
}

/** Everything the page reads for this URL, shared with concurrent identical requests. */
function readPage(c: AppContext): Promise<DashboardData> {
  const { indicator, ...aliveQuery } = c.req.query();
  const indicatorStatus = (INDICATOR_STATUSES as readonly string[]).includes(indicator ?? "")
    ? indicator as IndicatorStatus
    : null;
  const dp = pageParam(c, "dp");
  return loadDashboard(c.get("deps"), {
    filter: parseAliveQuery(aliveQuery).filter,
    indicatorStatus,
    // Until the read model pages by offset, the page is the tail of the first ap pages.
    aliveLimit: pageParam(c, "ap") * DASHBOARD_PAGE.alive,
    board: {
      subnetLimit: DASHBOARD_PAGE.statusSubnets,
      downLimit: DASHBOARD_PAGE.down,
      downOffset: (dp - 1) * DASHBOARD_PAGE.down,
    },
  });
}

/** The board's data: the island's props and the `?format=json` answer. */
function boardView(c: AppContext, data: DashboardData, highlightId?: number): DashboardBoardView {
  const { now } = c.get("deps");
  const { board, subnets, latest } = data;
  const dp = pageParam(c, "dp");
  let sp = pageParam(c, "sp");
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(c.req.query())) if (!PAGE_KEYS.includes(k)) query.set(k, v);
  // A subnet just added shows on the page that holds it.
  const at = highlightId === undefined ? -1 : subnets.findIndex((s) => s.id === highlightId);
  if (at >= 0 && c.req.query("sp") === undefined) sp = Math.floor(at / DASHBOARD_PAGE.subnets) + 1;
  const from = (sp - 1) * DASHBOARD_PAGE.subnets;
  return {
    now: now(),
    totals: board.totals,
    statusSubnets: board.subnets,
    down: board.down,
    downPage: { page: dp, size: DASHBOARD_PAGE.down, total: board.downTotal },
    latest: latest.map((e) => ({
      id: e.id,
      kind: e.kind,
      ts: e.ts,
      summary: e.summary,
      host: e.host ? { id: e.host.id } : null,
    })),
    subnets: subnets.slice(from, from + DASHBOARD_PAGE.subnets),
    subnetsPage: { page: sp, size: DASHBOARD_PAGE.subnets, total: subnets.length },
    ...(highlightId !== undefined ? { highlightId } : {}),
    query: query.toString(),
  };
}

interface DashboardState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  createdId?: number;
}

async function render(c: AppContext, state: DashboardState, status = 200) {
  const { indicator, ...aliveQuery } = c.req.query();
  const filters = parseAliveQuery(aliveQuery);
  const indicatorStatus = (INDICATOR_STATUSES as readonly string[]).includes(indicator ?? "")
    ? indicator as IndicatorStatus
    : null;
  const ap = pageParam(c, "ap");
  const data = await readPage(c);
  // The client has gone (closed the tab, timed out): rendering for nobody only delays the others.
  if (c.req.raw.signal.aborted) return new Response(null, { status: 499 });
  const canEdit = c.get("user")?.role !== "viewer";
  // Echoed as text only, bounded: it is whatever the URL says.
  const deletedIp = (c.req.query("deleted") ?? "").replace(/[^0-9a-fA-F.:]/g, "").slice(0, 45);
  const addOpen = state.errors !== undefined && Object.keys(state.errors).length > 0;
  // Everything below comes from data, the URL and the viewer: a plain GET's page is rendered once
  // per result of the read model (web/page_cache.ts); a form with errors is drawn afresh.
  const view = () => {
    const board = boardView(c, data, state.createdId);
    const { totals, options, indicatorTotals, indicatorRows } = data;
    const alive = {
      ...data.alive,
      items: data.alive.items.slice((ap - 1) * DASHBOARD_PAGE.alive),
    };
    const created = board.subnets.find((s) => s.id === state.createdId);
    return (
      <div class="flex flex-col gap-4">
        <div class="flex flex-wrap items-center gap-4">
          <h1 id="dash-title" class="text-2xl font-bold">Dashboard</h1>
          <LiveStatusIsland alive={totals.alive} />
          <span class="flex-1" />
          {canEdit && (
            <a class="btn btn-quiet" href="#add-subnet-form" data-testid="add-subnet-button">
              Add a subnet
            </a>
          )}
        </div>
        {deletedIp && (
          <p class="notice" role="status" data-testid="deleted-notice">Host {deletedIp} deleted.</p>
        )}
        {created && (
          <p class="notice" role="status" data-testid="created-notice">
            Subnet <a class="link mono" href={`/subnets/${created.id}`}>{created.cidr}</a> added.
          </p>
        )}
        <DashboardBoardIsland view={board} />
        {canEdit && (
          <details class="card" open={addOpen} data-testid="add-subnet">
            <summary class="text-lg font-bold cursor-pointer">Add a subnet</summary>
            {/* A link to this id opens the details (browsers expand a fragment target inside). */}
            <div class="mt-2" id="add-subnet-form">
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
            </div>
          </details>
        )}
        <IndicatorPanel counts={indicatorTotals} rows={indicatorRows} status={indicatorStatus} />
        <section class="card alive-section" id="alive" aria-labelledby="alive-title">
          <div class="flex flex-wrap items-center gap-2 mb-2">
            <h2 id="alive-title" class="text-lg font-bold">Alive now</h2>
            <p class="muted flex-1">
              <AliveListLiveIsland
                shown={alive.items.length}
                total={alive.total}
                filtered={filters.active}
                alive={alive.alive}
                tableId="alive-table"
              />
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
                <AliveTable
                  hosts={alive.items}
                  id="alive-table"
                  {...(canEdit ? { Ping: PingButtonIsland } : {})}
                />
              </div>
            )
            : (
              <p class="muted py-3" data-testid="alive-empty">
                {filters.active
                  ? "No alive host matches these filters."
                  : alive.alive === 0
                  ? "No host answers right now. Enable scanning on a subnet to start sweeps."
                  : "No alive host on this page."}
              </p>
            )}
          <Pager
            page={{ page: ap, size: DASHBOARD_PAGE.alive, total: alive.total }}
            query={board.query}
            param="ap"
            anchor="alive"
            label="Alive host pages"
          />
        </section>
        <HostDrawerIsland />
      </div>
    );
  };
  if (state.values === undefined && state.errors === undefined && status === 200) {
    return cachedPage(c, data, "Dashboard", view);
  }
  return page(c, "Dashboard", view(), status);
}

export async function GET(c: AppContext) {
  const created = Number(c.req.query("created"));
  const createdId = Number.isSafeInteger(created) && created > 0 ? created : undefined;
  if (c.req.query("format") === "json") {
    return c.json(boardView(c, await readPage(c)), 200, { "cache-control": "no-store" });
  }
  return render(c, { createdId });
}

export async function POST(c: AppContext) {
  const outcome = await createSubnetFromForm(c.get("deps").db, await c.req.parseBody(), {
    ...await subnetWriteOptions(c.get("deps")),
  });
  if (outcome.ok) {
    return c.redirect(`/?created=${outcome.value.id}#subnet-${outcome.value.id}`, 303);
  }
  return render(c, { values: outcome.raw, errors: outcome.errors }, outcome.status);
}
