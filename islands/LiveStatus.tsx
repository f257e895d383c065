// Island: keeps a page's status pills and its "Alive now" count live through Server-Sent Events.
//
// One per page. It patches server-rendered pills in place, found by address: an element with
// `data-host-ip="…"` (the pill itself) or a row `tr[data-ip="…"]` holding a `.pill`. So pages need
// no client framework around their tables, and a pill rendered by the server looks the same after.
// Each batch is also re-sent as a `pf:hosts` document event (detail: the changes), so other islands
// (the dashboard board, the alive list, cells of Last seen and latency) follow the same stream.
import { useEffect, useState } from "preact/hooks";
import { LiveDot } from "@/components/LiveDot.tsx";
import { pillView } from "../shared/state_view.ts";
import { type LiveHostChange, patchLiveCells } from "../shared/live_cells.ts";

export interface LiveStatusProps extends Record<string, unknown> {
  /** Only hosts inside this subnet (children included) count and stream; absent = all. */
  subnetId?: number | null;
  /** The server's count when the page was rendered; null hides the "Alive now" figure. */
  alive?: number | null;
  /** Label before the count. */
  label?: string;
  /** On the scanner page: offer a refresh when new runs finish. */
  watchRuns?: boolean;
}

type Change = LiveHostChange;

const REFRESH_TITLES_MS = 30_000;
const DRAWER = "[data-testid=host-drawer]";

function pillsFor(ip: string): HTMLElement[] {
  const found = new Set<HTMLElement>();
  const q = CSS.escape(ip);
  document.querySelectorAll<HTMLElement>(`[data-host-ip="${q}"]`).forEach((el) => found.add(el));
  document.querySelectorAll<HTMLElement>(`tr[data-ip="${q}"] .pill`).forEach((el) => found.add(el));
  // The drawer is Preact's to render: it re-reads its host on the same event instead.
  return [...found].filter((el) => !el.closest(DRAWER));
}

/** Rewrites one pill like the server would render it for this state. */
function patchPill(pill: HTMLElement, c: Change, now: number) {
  const v = pillView(c, now);
  pill.className = `pill pill-${v.status}`;
  pill.dataset.status = v.status;
  pill.dataset.since = String(c.since);
  pill.dataset.lastSeen = c.last_seen === null ? "" : String(c.last_seen);
  pill.title = v.title;
  pill.replaceChildren(document.createTextNode(v.label));
  if (v.latency) {
    const sr = document.createElement("span");
    sr.className = "sr-only";
    sr.textContent = ", latency";
    const badge = document.createElement("span");
    badge.className = "pill-latency";
    badge.textContent = v.latency;
    pill.append(sr, badge);
  }
  const row = pill.closest<HTMLElement>("tr[data-ip]");
  if (row) row.dataset.status = v.status;
}

/** Turns every pill's tooltip into "down 12m ago" from its data-since, as time passes. */
function refreshTitles(now: number) {
  document.querySelectorAll<HTMLElement>(".pill[data-since]").forEach((pill) => {
    const since = Number(pill.dataset.since);
    const status = pill.dataset.status;
    if (!since || (status !== "up" && status !== "down")) return;
    const lastSeen = pill.dataset.lastSeen ? Number(pill.dataset.lastSeen) : null;
    pill.title =
      pillView({ up: status === "up", latency_ms: null, since, last_seen: lastSeen }, now)
        .title;
  });
}

export default function LiveStatus(props: LiveStatusProps) {
  const [alive, setAlive] = useState<number | null>(props.alive ?? null);
  const [connected, setConnected] = useState(false);
  const [newRuns, setNewRuns] = useState(0);
  const query = props.subnetId ? `?subnet_id=${props.subnetId}` : "";

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(`/api/v1/events${query}`);
    const resync = async () => {
      if (props.alive === null || props.alive === undefined) return;
      try {
        const res = await fetch(`/api/v1/scanner/alive${query}`);
        if (res.ok) setAlive((await res.json()).alive);
      } catch { /* keep the last count; the next reconnect tries again */ }
    };
    source.addEventListener("open", () => {
      setConnected(true);
      // Events may have been missed while disconnected: re-read the count once connected.
      resync();
    });
    source.addEventListener("error", () => setConnected(false));
    source.addEventListener("hosts", (e) => {
      const { changes } = JSON.parse((e as MessageEvent).data) as { changes: Change[] };
      const now = Date.now();
      let delta = 0;
      for (const c of changes) {
        for (const pill of pillsFor(c.ip)) patchPill(pill, c, now);
        patchLiveCells(document, c, now);
        delta += (c.up ? 1 : 0) - (c.prev_up ? 1 : 0);
      }
      document.dispatchEvent(new CustomEvent("pf:hosts", { detail: { changes } }));
      if (delta !== 0) setAlive((n) => (n === null ? n : Math.max(0, n + delta)));
    });
    if (props.watchRuns) source.addEventListener("run", () => setNewRuns((n) => n + 1));
    refreshTitles(Date.now());
    const timer = setInterval(() => refreshTitles(Date.now()), REFRESH_TITLES_MS);
    return () => {
      clearInterval(timer);
      source.close();
    };
  }, [query]);

  return (
    <span class="live-status flex flex-wrap items-center gap-3" data-testid="live-status">
      {alive !== null && (
        <span data-testid="alive-now">
          {props.label ?? "Alive now"} <strong class="tabular-nums">{alive}</strong>
        </span>
      )}
      <LiveDot connected={connected} />
      {newRuns > 0 && (
        <a class="link" href="" data-testid="new-runs">
          {newRuns} new {newRuns === 1 ? "run" : "runs"}, refresh
        </a>
      )}
    </span>
  );
}
