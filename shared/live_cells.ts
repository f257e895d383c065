// Cells that follow a host's live state (Last seen, latency): their text, written the same way by
// the server and by the live island when an event arrives.
//
// A page marks a cell with `data-live="last-seen" | "latency"` and `data-live-ip="<address>"`;
// patchLiveCells rewrites the cells of one change. No other markup is assumed.
import { formatLatency } from "./state_view.ts";
import { formatUtc, timeAgo } from "./host_detail_format.ts";

/** One host in a live "hosts" event (services/jobs/live_events.ts HostChange, as JSON). */
export interface LiveHostChange {
  ip: string;
  host_id?: number;
  subnet_id?: number | null;
  up: boolean;
  prev_up: boolean | null;
  latency_ms: number | null;
  since: number;
  last_seen: number | null;
  checked_at?: number;
}

/** "5m ago · 2026-12-01 12:00 UTC", or "never". */
export function lastSeenText(lastSeen: number | string | null | undefined, now: number): string {
  if (lastSeen === null || lastSeen === undefined || lastSeen === "") return "never";
  const iso = typeof lastSeen === "number" ? new Date(lastSeen).toISOString() : lastSeen;
  const ago = timeAgo(iso, now);
  return ago === "never" ? ago : `${ago} · ${formatUtc(iso)}`;
}

/** "0.4 ms" when up, "—" otherwise. */
export function latencyText(up: boolean, latencyMs: number | null | undefined): string {
  return (up ? formatLatency(latencyMs ?? null) : null) ?? "—";
}

/** Rewrites every live cell of `c.ip` under `root`. */
export function patchLiveCells(root: ParentNode, c: LiveHostChange, now: number): void {
  const ip = c.ip.replace(/["\\]/g, "\\$&");
  root.querySelectorAll<HTMLElement>(`[data-live-ip="${ip}"][data-live]`).forEach((el) => {
    if (el.closest("[data-testid=host-drawer]")) return; // the drawer re-renders itself
    if (el.dataset.live === "last-seen") el.textContent = lastSeenText(c.last_seen, now);
    else if (el.dataset.live === "latency") el.textContent = latencyText(c.up, c.latency_ms);
  });
}

/** What a saved host (PATCH /api/v1/hosts/{id}'s answer) changes in the rows that show it. */
export interface SavedHost {
  id: number;
  hostname?: string | null;
  hostname_override?: string | null;
  mac?: string | null;
  description?: string | null;
}

/**
 * Rewrites the cells marked `data-field="name" | "mac" | "description"` inside every element with
 * `data-host-id` = the saved host's id (rows behind the drawer, "Down now" lines).
 */
export function patchHostRows(root: ParentNode, h: SavedHost): void {
  const name = h.hostname_override || h.hostname || "";
  root.querySelectorAll<HTMLElement>(`[data-host-id="${h.id}"]`).forEach((row) => {
    if (row.closest("[data-testid=host-drawer]")) return; // the drawer re-renders itself
    row.querySelectorAll<HTMLElement>("[data-field]").forEach((cell) => {
      const f = cell.dataset.field;
      if (f === "name" && h.hostname !== undefined) {
        // An empty cell shows its placeholder ("—"), dimmed, as the server renders it.
        cell.textContent = name || (cell.dataset.empty ?? "");
        if (cell.dataset.empty !== undefined) cell.classList.toggle("muted", !name);
      } else if (f === "mac" && h.mac !== undefined) cell.textContent = h.mac ?? "";
      else if (f === "description" && h.description !== undefined) {
        cell.textContent = h.description ?? "";
      }
    });
  });
}

/** Takes a deleted host's rows off the page (`tr[data-host-id]` and `li[data-host-id]`). */
export function removeHostRows(root: ParentNode, hostId: number): number {
  const rows = root.querySelectorAll(`tr[data-host-id="${hostId}"], li[data-host-id="${hostId}"]`);
  rows.forEach((r) => r.remove());
  return rows.length;
}
