// Island: the host drawer. A click on a host row `tr[data-host-id]` (or its address link), or the `pf:open-host` event
// KeyboardNav sends on Enter, opens the host's details beside the list without leaving the page.
// Esc, the close button or the backdrop close it and focus returns to the row. The content is the
// same HostDetail the full page /hosts/{id} renders, from GET /hosts/{id}?format=json.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { HostDetail, type HostView } from "../components/HostDetail.tsx";
import { patchHostRows, removeHostRows, type SavedHost } from "../shared/live_cells.ts";

export interface HostDrawerProps extends Record<string, unknown> {
  /** Reload the drawer this often while it is open (ms); 0 turns it off. */
  refreshMs?: number;
}

/** Detail of the `pf:open-host` CustomEvent; the drawer calls preventDefault() when it takes it. */
export interface OpenHostDetail {
  id: number;
  /** Element to focus again when the drawer closes. */
  opener?: HTMLElement | null;
}

type Load = { kind: "loading" } | { kind: "ready"; view: HostView } | {
  kind: "error";
  message: string;
};

const ROW = "tr[data-host-id]";
const INTERACTIVE = "a, button, input, select, textarea, label, summary, details, [role=button]";
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]), select, ' +
  'textarea, [tabindex]:not([tabindex="-1"])';

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

async function fetchView(id: number, signal: AbortSignal): Promise<HostView> {
  const res = await fetch(`/hosts/${id}?format=json`, {
    headers: { accept: "application/json" },
    signal,
  });
  const type = res.headers.get("content-type") ?? "";
  // A redirect to /login (session expired) comes back as an HTML page.
  if (res.redirected || !type.includes("application/json")) {
    throw new Error(
      res.status === 404
        ? `host ${id} no longer exists`
        : res.ok
        ? "your session has ended; reload the page to sign in again"
        : `the server answered ${res.status}`,
    );
  }
  if (!res.ok) throw new Error(`the server answered ${res.status}`);
  return await res.json() as HostView;
}

/**
 * The host a click landed on: a row (`tr[data-host-id]`) outside its other controls, the row's
 * own link to /hosts/{id}, or any `a[data-drawer-link][data-host-id]`.
 */
function hostFromClick(e: MouseEvent): { id: number; opener: HTMLElement } | null {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
    return null;
  }
  const target = e.target as Element | null;
  if (!target?.closest) return null;
  const row = target.closest<HTMLElement>(ROW);
  const link = target.closest<HTMLAnchorElement>("a[href]");
  const explicit = link?.hasAttribute("data-drawer-link") ? link : null;
  if (!row && !explicit) return null;
  const id = Number(explicit?.dataset.hostId ?? row?.dataset.hostId);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  if (link) {
    // Other links in the row (its subnet, say) navigate as usual.
    if (!explicit && link.getAttribute("href") !== `/hosts/${id}`) return null;
  } else if (target.closest(INTERACTIVE)) {
    return null;
  }
  return { id, opener: row ?? explicit! };
}

export default function HostDrawer(p: HostDrawerProps) {
  const [hostId, setHostId] = useState<number | null>(null);
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [reloads, setReloads] = useState(0);
  const opener = useRef<HTMLElement | null>(null);
  const panel = useRef<HTMLDivElement | null>(null);
  const hasView = useRef(false);
  const shownIp = useRef<string | null>(null);

  const open = useCallback((id: number, from: HTMLElement | null) => {
    opener.current = from;
    hasView.current = false;
    setLoad({ kind: "loading" });
    setHostId(id);
  }, []);

  const close = useCallback(() => {
    setHostId(null);
    const back = opener.current;
    opener.current = null;
    if (back?.isConnected) {
      // A row without tabindex cannot take focus; give it one so keyboard users land back on it.
      if (!back.hasAttribute("tabindex")) back.tabIndex = -1;
      back.focus();
    }
  }, []);

  const refresh = useCallback(() => setReloads((n) => n + 1), []);

  // A save in the drawer also rewrites the row behind it, and tells the page's other islands.
  const changed = useCallback((host?: Record<string, unknown>) => {
    if (host && typeof host.id === "number") {
      patchHostRows(document, host as unknown as SavedHost);
      document.dispatchEvent(new CustomEvent("pf:host-changed", { detail: { id: host.id } }));
    }
    refresh();
  }, [refresh]);

  const deleted = useCallback((id: number) => {
    opener.current = null; // its row is about to go
    removeHostRows(document, id);
    document.dispatchEvent(new CustomEvent("pf:host-changed", { detail: { id, deleted: true } }));
    setHostId(null);
  }, []);

  // Who opens it: clicks on rows and address links, and KeyboardNav's event.
  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      const hit = hostFromClick(e);
      if (!hit) return;
      e.preventDefault();
      open(hit.id, hit.opener);
    };
    const onOpen = (e: Event) => {
      const d = (e as CustomEvent<OpenHostDetail>).detail;
      if (!d || !Number.isSafeInteger(d.id)) return;
      e.preventDefault();
      open(d.id, d.opener ?? null);
    };
    document.addEventListener("click", onClick);
    document.addEventListener("pf:open-host", onOpen);
    document.documentElement.dataset.hostDrawer = "ready";
    return () => {
      document.removeEventListener("click", onClick);
      document.removeEventListener("pf:open-host", onOpen);
    };
  }, [open]);

  // Load (and reload) the host; a newer request aborts an older one.
  useEffect(() => {
    if (hostId === null) return;
    const ctl = new AbortController();
    fetchView(hostId, ctl.signal)
      .then((view) => {
        hasView.current = true;
        shownIp.current = view.detail.host.ip;
        setLoad({ kind: "ready", view });
      })
      .catch((err) => {
        if (ctl.signal.aborted) return;
        // A failed background refresh keeps what is shown.
        if (!hasView.current) setLoad({ kind: "error", message: String(err?.message ?? err) });
      });
    return () => ctl.abort();
  }, [hostId, reloads]);

  // While open: Esc closes, Tab stays inside, the page does not scroll behind, and the drawer
  // reloads when the live pill of its host changes (LiveStatus rewrites the row's data-status).
  useEffect(() => {
    if (hostId === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        close();
        return;
      }
      if (e.key !== "Tab" || !panel.current) return;
      const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
        .filter((el) => el.offsetParent !== null || el === document.activeElement);
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (
        e.shiftKey && (document.activeElement === first || document.activeElement === panel.current)
      ) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    document.documentElement.classList.add("drawer-open");
    panel.current?.focus();

    const rows = document.querySelectorAll(`${ROW}[data-host-id="${hostId}"]`);
    const watch = new MutationObserver(refresh);
    rows.forEach((row) =>
      watch.observe(row, { attributes: true, attributeFilter: ["data-status"] })
    );
    const timer = p.refreshMs === 0 ? null : setInterval(refresh, p.refreshMs ?? 30_000);
    // A live event about this host (new latency, last seen, a flip) re-reads it, coalesced.
    let pending: ReturnType<typeof setTimeout> | null = null;
    const onHosts = (e: Event) => {
      const ip = shownIp.current;
      const changes = (e as CustomEvent<{ changes: Array<{ ip: string }> }>).detail?.changes ?? [];
      if (!ip || pending !== null || !changes.some((c) => c.ip === ip)) return;
      pending = setTimeout(() => {
        pending = null;
        refresh();
      }, 200);
    };
    document.addEventListener("pf:hosts", onHosts);
    return () => {
      document.removeEventListener("pf:hosts", onHosts);
      if (pending !== null) clearTimeout(pending);
      document.removeEventListener("keydown", onKey);
      document.documentElement.classList.remove("drawer-open");
      watch.disconnect();
      if (timer !== null) clearInterval(timer);
    };
  }, [hostId, close, refresh, p.refreshMs]);

  if (hostId === null) return null;
  return (
    <div class="drawer-root">
      <div class="drawer-backdrop" onClick={close} aria-hidden="true" />
      <div
        ref={panel}
        class="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="drawer-title"
        aria-busy={load.kind === "loading" ? "true" : undefined}
        tabIndex={-1}
        data-testid="host-drawer"
        data-host-id={hostId}
        data-state={load.kind}
      >
        <div class="drawer-bar">
          <a class="link" href={`/hosts/${hostId}`}>Open full page</a>
          <button
            type="button"
            class="btn btn-quiet btn-small"
            onClick={close}
            data-testid="drawer-close"
          >
            Close <kbd aria-hidden="true">Esc</kbd>
          </button>
        </div>
        {load.kind === "loading" && (
          <p id="drawer-title" class="muted" role="status">Loading host…</p>
        )}
        {load.kind === "error" && (
          <div>
            <h2 id="drawer-title" class="hd-title">Host {hostId}</h2>
            <p role="alert" class="alert">Could not load this host: {load.message}</p>
          </div>
        )}
        {load.kind === "ready" && (
          <HostDetail
            key={hostId}
            view={load.view}
            level={2}
            headingId="drawer-title"
            csrf={csrfToken()}
            onChanged={changed}
            onDeleted={deleted}
          />
        )}
      </div>
    </div>
  );
}
