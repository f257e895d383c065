// Island: the one script behind a subnet's address table. Delegated: a single listener serves every
// gap chip of the window (free addresses load in place, a claim asks for a name and can be undone),
// and one live stream keeps Last seen, latency, the usage figures and the fold rows current.
//
// The table itself is plain server HTML (components/AddressRows.tsx); nothing per row hydrates.
// Pills are patched by LiveStatus, which shares pill text with the server (shared/state_view.ts).
import { uiErrorOf } from "../shared/ui_words.ts";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { formatCount } from "../shared/format_count.ts";
import { runPing } from "../shared/ping_run.ts";
import { ago } from "../shared/last_seen.ts";
import { formatLatency } from "../shared/state_view.ts";
import { windowRangeText } from "../shared/window_text.ts";

export interface AddressTableProps extends Record<string, unknown> {
  subnetId: number;
  /** The window shown: what a refresh after a change asks the server for again. */
  order: string;
  offset: number;
  limit: number;
  /** Viewers see free addresses but no claim. */
  canClaim: boolean;
  /** Free addresses per page inside an expanded gap. */
  pageSize?: number;
}

interface Change {
  ip: string;
  subnet_id: number | null;
  up: boolean;
  prev_up: boolean | null;
  latency_ms: number | null;
  last_seen: number | null;
}

/** What GET /subnets/{id}/rows answers: the window's rows as HTML and the usage figures. */
interface WindowView {
  rows_html: string;
  usable: string;
  used: string;
  alive: string;
  free: string;
  percent_used: number;
  total_rows: number;
  offset: number;
  row_count: number;
  next_free: string | null;
}

/** A row's ping as the island remembers it, by host id, so a redraw of the rows keeps it. */
interface RowPing {
  busy: boolean;
  text: string;
  bad: boolean;
  /** data-state of the result span once the run ended ("done", "error", "idle"). */
  state?: string;
}

/** Writes a remembered ping into whatever row of `body` now holds that host's button. */
function paintPing(body: ParentNode, id: string, p: RowPing): void {
  const button = body.querySelector<HTMLButtonElement>(`button[data-ping="${CSS.escape(id)}"]`);
  if (!button) return;
  const out = button.parentElement?.querySelector<HTMLElement>("[data-ping-result]");
  // The label's first text node: the sr-only address after it stays.
  const label = button.firstChild;
  button.disabled = p.busy;
  if (p.busy) button.setAttribute("aria-busy", "true");
  else button.removeAttribute("aria-busy");
  const word = p.busy ? "Pinging…" : "Ping now";
  if (label && label.textContent !== word) label.textContent = word;
  if (!out) return;
  if (out.textContent !== p.text) out.textContent = p.text;
  out.classList.toggle("field-error", p.bad);
  if (p.state) out.dataset.state = p.state;
  else delete out.dataset.state;
}

/**
 * A row's "Ping now" (server-rendered button, editors only): the same run and words as the
 * PingButton island (shared/ping_run.ts). Its state lives in `pings`, not in the row, because a
 * live refresh swaps the table body: the new row gets the result (or "Pinging…") painted again.
 */
async function pingRow(
  body: HTMLElement,
  pings: Map<string, RowPing>,
  id: string,
  alive: () => boolean,
): Promise<void> {
  if (pings.get(id)?.busy) return;
  const set = (p: RowPing) => {
    pings.set(id, p);
    paintPing(body, id, p);
  };
  set({ busy: true, text: "", bad: false });
  const r = await runPing(Number(id), (note) => set({ busy: true, text: note, bad: false }), alive);
  if (!alive()) return;
  set({
    busy: false,
    text: r?.message ?? "",
    bad: r !== null && (r.kind === "error" || !r.up),
    state: r?.kind ?? "idle",
  });
}

/** Live changes are gathered this long before the window is read again. */
const REFRESH_DEBOUNCE_MS = 400;

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = await res.json();
    return uiErrorOf(body, `HTTP ${res.status}`);
  } catch {
    return `HTTP ${res.status}`;
  }
}

type Claim =
  | { state: "naming"; name: string }
  | { state: "busy"; name: string }
  | { state: "done"; hostId: number; name: string }
  | { state: "undoing"; hostId: number; name: string }
  | { state: "error"; name: string; message: string };

interface GapListProps {
  subnetId: number;
  first: string;
  last: string;
  pageSize: number;
  canClaim: boolean;
  listId: string;
  /** Called after a claim or an undo: the usage figures changed. */
  changed: () => void;
}

/** One expanded gap: its free addresses, paged, each with Claim → name → Claim → Undo. */
function GapList(p: GapListProps) {
  const [items, setItems] = useState<string[]>([]);
  const [next, setNext] = useState<string | null>("0");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [claims, setClaims] = useState<Record<string, Claim>>({});
  const set = (ip: string, c: Claim | null) =>
    setClaims((old) => {
      const copy = { ...old };
      if (c) copy[ip] = c;
      else delete copy[ip];
      return copy;
    });

  const load = async (cursor: string) => {
    setLoading(true);
    setError(null);
    try {
      const url = `/api/v1/subnets/${p.subnetId}/addresses?expand=${
        encodeURIComponent(`${p.first}-${p.last}`)
      }&offset=${cursor}&limit=${p.pageSize}`;
      const res = await fetch(url, { headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(await errorText(res));
      const body = await res.json() as { items: string[]; next_cursor: string | null };
      setItems((old) => [...old, ...body.items]);
      setNext(body.next_cursor);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load("0");
  }, []);

  const claim = async (ip: string, name: string) => {
    set(ip, { state: "busy", name });
    try {
      const res = await fetch("/api/v1/hosts", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrfToken() },
        body: JSON.stringify({ ip, hostname: name }),
      });
      if (!res.ok) throw new Error(await errorText(res));
      const host = await res.json() as { id: number };
      set(ip, { state: "done", hostId: host.id, name });
      p.changed();
    } catch (e) {
      set(ip, { state: "error", name, message: e instanceof Error ? e.message : String(e) });
    }
  };

  const undo = async (ip: string, hostId: number, name: string) => {
    set(ip, { state: "undoing", hostId, name });
    try {
      const res = await fetch(`/api/v1/hosts/${hostId}`, {
        method: "DELETE",
        headers: { "x-csrf-token": csrfToken() },
      });
      if (!res.ok && res.status !== 404) throw new Error(await errorText(res));
      set(ip, null);
      p.changed();
    } catch (e) {
      set(ip, { state: "error", name, message: e instanceof Error ? e.message : String(e) });
    }
  };

  return (
    <div id={p.listId} class="mt-2" aria-live="polite">
      {error && <p role="alert" class="alert mb-2">Could not load addresses: {error}</p>}
      <ul class="free-list" data-testid="free-list">
        {items.map((ip) => {
          const c = claims[ip];
          const inputId = `${p.listId}-name-${ip.replace(/[^a-zA-Z0-9]/g, "-")}`;
          return (
            <li class="free-item" data-ip={ip} data-claim={c?.state ?? "free"}>
              <span class="mono">{ip}</span>
              {(c?.state === "done" || c?.state === "undoing") && (
                <>
                  <span class="claimed" role="status" data-testid="claimed">
                    now a host: <a class="link" href={`/hosts/${c.hostId}`}>{c.name}</a>
                  </span>
                  <button
                    type="button"
                    class="btn btn-quiet btn-small"
                    disabled={c.state === "undoing"}
                    onClick={() => undo(ip, c.hostId, c.name)}
                    aria-label={`Undo claim of ${ip}`}
                  >
                    {c.state === "undoing" ? "Undoing…" : "Undo"}
                  </button>
                </>
              )}
              {p.canClaim && (!c || c.state === "error") && (
                <button
                  type="button"
                  class="btn btn-quiet btn-small"
                  onClick={() => set(ip, { state: "naming", name: c?.name ?? "" })}
                  aria-label={`Claim ${ip}`}
                >
                  Claim
                </button>
              )}
              {(c?.state === "naming" || c?.state === "busy") && (
                <form
                  class="claim-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const name = c.name.trim();
                    if (name) claim(ip, name);
                  }}
                >
                  <label class="sr-only" for={inputId}>Name for {ip}</label>
                  <input
                    id={inputId}
                    class="input input-small"
                    name="hostname"
                    placeholder="name, e.g. printer-2"
                    autocomplete="off"
                    required
                    value={c.name}
                    ref={(el) => {
                      if (el && c.state === "naming" && !c.name) el.focus();
                    }}
                    onInput={(e) =>
                      set(ip, { state: "naming", name: (e.target as HTMLInputElement).value })}
                  />
                  <button
                    type="submit"
                    class="btn btn-small"
                    disabled={c.state === "busy" || !c.name.trim()}
                  >
                    {c.state === "busy" ? "Claiming…" : "Claim"}
                  </button>
                  <button
                    type="button"
                    class="btn btn-quiet btn-small"
                    onClick={() => set(ip, null)}
                  >
                    Cancel
                  </button>
                </form>
              )}
              {c?.state === "error" && (
                <span role="alert" class="field-error text-sm">{c.message}</span>
              )}
            </li>
          );
        })}
      </ul>
      {loading && <p class="muted text-sm" role="status">Loading…</p>}
      {!loading && next !== null && items.length > 0 && (
        <button
          type="button"
          class="btn btn-quiet mt-2"
          onClick={() => load(next)}
        >
          Show {p.pageSize} more
        </button>
      )}
    </div>
  );
}

function setText(testId: string, value: string) {
  const el = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (el && el.textContent !== value) el.textContent = value;
}

export default function AddressTable(p: AddressTableProps) {
  const [note, setNote] = useState("");
  useEffect(() => {
    const table = document.getElementById("address-table");
    const body = table?.querySelector("tbody");
    if (!table || !body) return;
    const pageSize = p.pageSize ?? 64;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let rowsStale = false;
    let stopped = false;
    const alive = () => !stopped && body.isConnected;
    const pings = new Map<string, RowPing>();

    const openLists = () => body.querySelectorAll(".gap-free").length;
    const refresh = async () => {
      timer = undefined;
      const q = new URLSearchParams({
        order: p.order,
        offset: String(p.offset),
        limit: String(p.limit),
      });
      const res = await fetch(`/subnets/${p.subnetId}/rows?${q}`, {
        headers: { accept: "application/json" },
      }).catch(() => null);
      if (!res?.ok) return;
      const v = await res.json() as WindowView;
      setText("used", formatCount(v.used));
      setText("alive", formatCount(v.alive));
      setText("free", formatCount(v.free));
      const pct = Math.max(0, Math.min(100, v.percent_used));
      const bar = document.querySelector<HTMLElement>('[data-testid="usage"] .bar');
      if (bar) {
        // The same words as components/UtilizationBar.tsx.
        const label = `${pct}% used (${formatCount(v.used)} of ${formatCount(v.usable)})`;
        bar.setAttribute("aria-label", label);
        bar.parentElement?.setAttribute("title", label);
        const fill = bar.firstElementChild as HTMLElement | null;
        if (fill) fill.style.width = `${pct}%`;
        const figure = bar.nextElementSibling;
        if (figure) figure.textContent = `${pct}%`;
      }
      const nextIp = document.querySelector<HTMLElement>('[data-testid="next-free-ip"]');
      if (nextIp && v.next_free) {
        nextIp.textContent = v.next_free;
        const form = nextIp.closest("form");
        const field = form?.querySelector<HTMLInputElement>('input[name="ip"]');
        if (field) field.value = v.next_free;
      }
      // Swapping rows would close a list someone is working in: wait until it is closed.
      if (rowsStale && openLists() === 0) {
        body.innerHTML = v.rows_html;
        rowsStale = false;
        // The new rows are fresh server HTML: put back what their Ping now buttons said.
        for (const [id, ping] of pings) paintPing(body, id, ping);
        setText("window-range", windowRangeText(v.offset, v.row_count, v.total_rows));
        setNote("Rows updated");
      }
    };
    const later = () => {
      if (timer === undefined) timer = setTimeout(refresh, REFRESH_DEBOUNCE_MS);
    };

    const onClick = (e: Event) => {
      const ping = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-ping]");
      if (ping && body.contains(ping)) return void pingRow(body, pings, ping.dataset.ping!, alive);
      const button = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-expand]");
      if (!button || !body.contains(button)) return;
      const row = button.closest<HTMLTableRowElement>("tr.gap")!;
      const cell = row.cells[0];
      const existing = cell.querySelector<HTMLElement>(".gap-free");
      if (existing) {
        render(null, existing);
        existing.remove();
        button.setAttribute("aria-expanded", "false");
        button.removeAttribute("aria-controls");
        button.textContent = "Show free";
        // A claim made in the list shows as a host row once the list is closed.
        if (rowsStale) later();
        return;
      }
      const first = row.dataset.first!;
      const last = row.dataset.last!;
      const listId = `gap-${p.subnetId}-${first}`.replace(/[^a-zA-Z0-9-]/g, "-");
      const box = document.createElement("div");
      box.className = "gap-free";
      cell.append(box);
      button.setAttribute("aria-expanded", "true");
      button.setAttribute("aria-controls", listId);
      button.textContent = "Hide";
      render(
        <GapList
          subnetId={p.subnetId}
          first={first}
          last={last}
          pageSize={pageSize}
          canClaim={p.canClaim}
          listId={listId}
          changed={() => {
            rowsStale = true;
            later();
          }}
        />,
        box,
      );
    };
    table.addEventListener("click", onClick);

    let source: EventSource | null = null;
    if (typeof EventSource !== "undefined") {
      source = new EventSource(`/api/v1/events?subnet_id=${p.subnetId}`);
      source.addEventListener("hosts", (e) => {
        const { changes } = JSON.parse((e as MessageEvent).data) as { changes: Change[] };
        const now = Date.now();
        let touched = false;
        for (const c of changes) {
          const row = body.querySelector<HTMLTableRowElement>(`tr[data-ip="${CSS.escape(c.ip)}"]`);
          touched = true;
          if (!row) {
            // An address that became a host: its gap row splits, so the window is read again.
            rowsStale = true;
            continue;
          }
          const seen = row.querySelector<HTMLElement>('[data-col="last-seen"]');
          if (seen && c.last_seen) {
            seen.textContent = ago(c.last_seen, now);
            seen.title = new Date(c.last_seen).toISOString();
          }
          const latency = row.querySelector<HTMLElement>('[data-col="latency"]');
          if (latency) latency.textContent = c.up ? formatLatency(c.latency_ms) ?? "" : "";
        }
        if (touched) later();
      });
      // Events missed while disconnected: read the window again once connected.
      source.addEventListener("open", () => later());
    }
    table.dataset.live = "ready";
    return () => {
      stopped = true;
      table.removeEventListener("click", onClick);
      source?.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [p.subnetId, p.order, p.offset, p.limit]);

  return <span class="sr-only" role="status" data-testid="table-note">{note}</span>;
}
