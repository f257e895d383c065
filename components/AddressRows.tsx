// The folded address table of a subnet: host rows with status, gap rows with an expand chip.
//
// Plain server HTML only: one delegated island (islands/AddressTable.tsx) handles every chip,
// claim and live patch of the table, so a window of rows costs no per-row hydration.
import type { AddressHostRow, AddressRow } from "@/services/ipam/mod.ts";
import { formatCount } from "@/shared/format_count.ts";
import { ago } from "@/shared/last_seen.ts";
import { formatLatency, StatusPill } from "./StatusPill.tsx";

export { ago };

export interface AddressRowsProps {
  subnetId: number;
  rows: AddressRow[];
  /** Milliseconds since the epoch, for "5 min ago". */
  now: number;
  /** The address jumped to (its row is marked). */
  focusKey?: string | null;
  /** Editors and admins: each host row gets a "Ping now" button (islands/AddressTable.tsx). */
  canPing?: boolean;
}

/** Anchor id of a host row: #ip-198-51-100-10. */
export function hostAnchor(ip: string): string {
  return `ip-${ip.replace(/[.:]/g, "-")}`;
}

/**
 * One host row; a click on it (or Enter, via KeyboardNav) opens the host drawer, and the address
 * links to the host page for no-JavaScript use. Markup is kept lean on purpose (a /16 page can
 * hold 10,000 rows): cell styling and the columns hidden on small screens come from
 * `.address-table` rules in static/app.css.
 */
function HostRow(p: { h: AddressHostRow; now: number; focus: boolean; canPing: boolean }) {
  const h = p.h;
  const name = h.hostname_override ?? h.hostname;
  return (
    <tr
      id={hostAnchor(h.ip)}
      data-ip={h.ip}
      data-status={h.status}
      data-host-id={h.id}
      class={p.focus ? "row-focus" : undefined}
    >
      <td>
        <a href={`/hosts/${h.id}`}>{h.ip}</a>
      </td>
      <td>
        <StatusPill
          state={h.status}
          latencyMs={h.latency_ms}
          since={h.status_since}
          lastSeen={h.status === "unknown" ? null : h.last_seen_at}
        />
        {p.canPing && (
          <span class="row-ping">
            {/* The label's text node first: the island swaps it for "Pinging…". */}
            <button
              type="button"
              class="btn btn-quiet btn-small"
              data-ping={h.id}
              data-testid="row-ping"
            >
              Ping now<span class="sr-only">{` ${h.ip}`}</span>
            </button>
            <span role="status" class="text-sm" data-ping-result data-testid="row-ping-result" />
          </span>
        )}
      </td>
      <td>
        {/* Marked so the drawer's save patches the name in place (shared/live_cells.ts). */}
        <span data-field="name" data-empty="—" class={name ? undefined : "muted"}>
          {name ?? "—"}
        </span>
        {h.description && <div class="text-sm muted">{h.description}</div>}
      </td>
      <td data-col="last-seen" title={h.last_seen_at ?? undefined}>
        {ago(h.last_seen_at, p.now)}
      </td>
      <td data-col="latency">{h.latency_ms === null ? "" : formatLatency(h.latency_ms)}</td>
      <td>{h.tags.map((t) => <span key={t} class="chip">{t}</span>)}</td>
    </tr>
  );
}

/** A free range: "198.51.100.15–198.51.100.200 · 186 unused" and its chip (see AddressTable). */
function GapRow(p: { first: string; last: string; count: string; focus: boolean }) {
  const range = p.first === p.last ? p.first : `${p.first}–${p.last}`;
  return (
    <tr
      class={p.focus ? "gap row-focus" : "gap"}
      data-first={p.first}
      data-last={p.last}
      data-count={p.count}
    >
      <td colSpan={6}>
        <div class="expand-chip">
          <span class="mono">{range}</span>{" "}
          <span class="muted">· {formatCount(p.count)} unused</span>{" "}
          <button type="button" class="chip chip-button" data-expand aria-expanded="false">
            Show free
          </button>
        </div>
      </td>
    </tr>
  );
}

/** The rows alone: the page's table body, and what the live island swaps in after a change. */
export function AddressRowList(
  p: { rows: AddressRow[]; now: number; focusKey?: string | null; canPing?: boolean },
) {
  return (
    <>
      {p.rows.map((r) =>
        r.kind === "host"
          ? (
            <HostRow
              key={r.ip}
              h={r}
              now={p.now}
              focus={p.focusKey === r.ip}
              canPing={p.canPing ?? false}
            />
          )
          : (
            <GapRow
              key={r.first}
              first={r.first}
              last={r.last}
              count={r.count}
              focus={p.focusKey === r.first}
            />
          )
      )}
    </>
  );
}

export function AddressRows(p: AddressRowsProps) {
  return (
    <table class="table address-table" id="address-table" data-testid="address-table">
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Status</th>
          <th scope="col">Hostname</th>
          <th scope="col">Last seen</th>
          <th scope="col">Latency</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        <AddressRowList
          rows={p.rows}
          now={p.now}
          focusKey={p.focusKey}
          canPing={p.canPing ?? false}
        />
      </tbody>
    </table>
  );
}
