// The dashboard's top: what is wrong first. Up/down/unknown per subnet, the hosts down now (since
// their last answer, for how long, last latency), the latest changes, then subnets with their
// utilization. Plain props (JSON), so the live island re-renders it from the same data.
import type { DownHostRow, SubnetStatusCount } from "@/services/dashboard/mod.ts";
import type { SubnetSummary } from "@/services/ipam/mod.ts";
import { formatLatency } from "../shared/state_view.ts";
import { formatCount } from "../shared/format_count.ts";
import { outageText, totalsText } from "../shared/board_text.ts";
import { EventRow, type EventRowData } from "./EventRow.tsx";
import { SubnetTable } from "./SubnetTable.tsx";

export interface BoardPage {
  page: number;
  size: number;
  total: number;
}

export { outageText, totalsText };

export interface DashboardBoardView {
  /** Server clock (ms) the data was read at. */
  now: number;
  totals: { subnets: number; hosts: number; up: number; down: number; unknown: number };
  statusSubnets: SubnetStatusCount[];
  down: DownHostRow[];
  downPage: BoardPage;
  latest: EventRowData[];
  subnets: SubnetSummary[];
  subnetsPage: BoardPage;
  highlightId?: number;
  /** The page's query string without the paging keys, to build page links. */
  query: string;
}

const plural = (n: number, one: string, many: string) =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

function pageHref(query: string, key: string, page: number, anchor: string): string {
  const q = new URLSearchParams(query);
  if (page > 1) q.set(key, String(page));
  else q.delete(key);
  const s = q.toString();
  return `/${s ? `?${s}` : ""}#${anchor}`;
}

/** "Page 2 of 5 · Previous · Next", only when there is more than a page. */
export function Pager(
  p: { page: BoardPage; query: string; param: string; anchor: string; label: string },
) {
  const pages = Math.max(1, Math.ceil(p.page.total / p.page.size));
  if (pages <= 1) return null;
  const cur = Math.min(p.page.page, pages);
  return (
    <nav class="flex flex-wrap items-center gap-3 mt-2 text-sm" aria-label={p.label}>
      <span class="muted" data-testid={`${p.param}-pages`}>Page {cur} of {pages}</span>
      {cur > 1 && (
        <a class="link" rel="prev" href={pageHref(p.query, p.param, cur - 1, p.anchor)}>
          Previous
        </a>
      )}
      {cur < pages && (
        <a class="link" rel="next" href={pageHref(p.query, p.param, cur + 1, p.anchor)}>
          Next
        </a>
      )}
    </nav>
  );
}

function SubnetStatus(p: { rows: SubnetStatusCount[]; total: number }) {
  if (p.rows.length === 0) return <p class="muted">No subnets yet.</p>;
  return (
    <div class="overflow-x-auto">
      <table class="table" data-testid="subnet-status">
        <caption class="sr-only">Hosts up, down and unknown per subnet, most down first</caption>
        <thead>
          <tr>
            <th scope="col">Subnet</th>
            <th scope="col" class="text-right">Up</th>
            <th scope="col" class="text-right">Down</th>
            <th scope="col" class="text-right">Unknown</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((s) => (
            <tr key={s.id} data-subnet-id={s.id} data-down={s.down}>
              <td>
                <a class="link mono" href={`/subnets/${s.id}`}>{s.cidr}</a>
                {s.name && <span class="muted text-sm ml-1">{s.name}</span>}
              </td>
              <td class="text-right tabular-nums" data-col="up">{formatCount(s.up)}</td>
              <td
                class={`text-right tabular-nums${s.down > 0 ? " font-bold" : ""}`}
                data-col="down"
              >
                {formatCount(s.down)}
              </td>
              <td class="text-right tabular-nums" data-col="unknown">{formatCount(s.unknown)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.total > p.rows.length && (
        <p class="text-sm muted mt-1">
          {plural(p.total - p.rows.length, "more subnet", "more subnets")} below.
        </p>
      )}
    </div>
  );
}

function DownList(p: { v: DashboardBoardView }) {
  const { down, now } = p.v;
  if (down.length === 0) {
    return <p class="muted" data-testid="down-empty">Nothing is down.</p>;
  }
  return (
    <>
      <ul class="flex flex-col gap-2" data-testid="down-now">
        {down.map((d) => {
          const t = outageText(d, now);
          const latency = formatLatency(d.last_latency_ms);
          return (
            <li
              key={d.host_id}
              class="flex flex-wrap gap-x-2 items-baseline"
              data-down-ip={d.ip}
              data-host-id={d.host_id}
            >
              <span class="pill pill-down">Down</span>
              <a
                class="link mono"
                href={`/hosts/${d.host_id}`}
                data-drawer-link
                data-host-id={d.host_id}
              >
                {d.ip}
              </a>
              {d.name && <span data-field="name">{d.name}</span>}
              {t.length && <strong class="text-sm" data-testid="down-for">{t.length}</strong>}
              <span class="muted text-sm">
                {t.since}
                {latency && ` · last latency ${latency}`}
                {d.subnet_cidr && ` · ${d.subnet_cidr}`}
              </span>
            </li>
          );
        })}
      </ul>
    </>
  );
}

export function StatusBoard(p: { v: DashboardBoardView }) {
  const v = p.v;
  return (
    <div class="flex flex-col gap-4" data-testid="status-board" data-now={v.now}>
      <p class="muted" data-testid="totals">{totalsText(v.totals)}</p>
      {/* One column on phones; min-w-0 lets a wide table scroll inside its card, not the page. */}
      <div class="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <section class="card min-w-0 lg:col-span-2" id="down" aria-labelledby="down-title">
          <h2 id="down-title" class="text-lg font-bold mb-2">
            Down now{" "}
            <span class="muted text-base font-normal" data-testid="down-count">
              ({formatCount(v.totals.down)})
            </span>
          </h2>
          <DownList v={v} />
          <Pager
            page={v.downPage}
            query={v.query}
            param="dp"
            anchor="down"
            label="Down hosts pages"
          />
        </section>
        <section class="card min-w-0" aria-labelledby="by-subnet-title">
          <h2 id="by-subnet-title" class="text-lg font-bold mb-2">By subnet</h2>
          <SubnetStatus rows={v.statusSubnets} total={v.totals.subnets} />
        </section>
      </div>
      <section class="card overflow-x-auto" aria-labelledby="latest-title">
        <div class="flex items-baseline gap-2 mb-2">
          <h2 id="latest-title" class="text-lg font-bold flex-1">Latest changes</h2>
          <a class="link text-sm" href="/events">All events</a>
        </div>
        {v.latest.length > 0
          ? (
            <table class="table" data-testid="event-table">
              <caption class="sr-only">Latest changes: down, up, new hosts, ports</caption>
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Event</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>{v.latest.map((e) => <EventRow key={e.id ?? e.ts} e={e} />)}</tbody>
            </table>
          )
          : <p class="muted">No changes yet.</p>}
      </section>
      <section class="card" id="subnets" aria-labelledby="subnets-title">
        <div class="flex flex-wrap items-center gap-2 mb-2">
          <h2 id="subnets-title" class="text-lg font-bold flex-1">Subnets</h2>
          <a class="btn btn-quiet" href="/api/v1/export/subnets.csv" download>
            Export subnets CSV
          </a>
          <a class="btn btn-quiet" href="/api/v1/export/hosts.csv" download>Export hosts CSV</a>
        </div>
        <SubnetTable
          subnets={v.subnets}
          highlightId={v.highlightId}
          caption="Subnets with used, alive and free addresses"
        />
        <Pager
          page={v.subnetsPage}
          query={v.query}
          param="sp"
          anchor="subnets"
          label="Subnet pages"
        />
      </section>
    </div>
  );
}
