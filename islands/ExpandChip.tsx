// Island: a gap row's chip; loads the gap's free addresses in place (paged) with a "claim" per address.
import { useState } from "preact/hooks";
import { formatCount } from "../shared/format_count.ts";

export interface ExpandChipProps extends Record<string, unknown> {
  subnetId: number;
  first: string;
  last: string;
  /** Exact decimal count of the gap. */
  count: string;
  /** Addresses per page. */
  pageSize?: number;
  /** Viewers see the addresses but no claim buttons. */
  canClaim?: boolean;
}

type Claim = { state: "busy" } | { state: "done"; hostId: number } | {
  state: "error";
  message: string;
};

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = await res.json();
    return body?.error?.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

export default function ExpandChip(p: ExpandChipProps) {
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<string[]>([]);
  const [next, setNext] = useState<string | null>("0");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [claims, setClaims] = useState<Record<string, Claim>>({});
  const listId = `gap-${p.subnetId}-${p.first}`.replace(/[^a-zA-Z0-9-]/g, "-");
  const pageSize = p.pageSize ?? 64;

  const load = async (cursor: string) => {
    setLoading(true);
    setError(null);
    try {
      const url = `/api/v1/subnets/${p.subnetId}/addresses?expand=${
        encodeURIComponent(`${p.first}-${p.last}`)
      }&offset=${cursor}&limit=${pageSize}`;
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

  const toggle = () => {
    const opening = !open;
    setOpen(opening);
    if (opening && items.length === 0 && next !== null) load(next);
  };

  const claim = async (ip: string) => {
    setClaims((c) => ({ ...c, [ip]: { state: "busy" } }));
    try {
      const res = await fetch("/api/v1/hosts", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrfToken() },
        body: JSON.stringify({ ip }),
      });
      if (!res.ok) throw new Error(await errorText(res));
      const host = await res.json() as { id: number };
      setClaims((c) => ({ ...c, [ip]: { state: "done", hostId: host.id } }));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      setClaims((c) => ({ ...c, [ip]: { state: "error", message } }));
    }
  };

  const range = p.first === p.last ? p.first : `${p.first}–${p.last}`;
  return (
    <div class="expand-chip">
      <span class="mono">{range}</span> <span class="muted">· {formatCount(p.count)} unused</span>
      <button
        type="button"
        class="chip chip-button"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        onClick={toggle}
      >
        {open ? "Hide" : "Show free"}
      </button>
      {open && (
        <div id={listId} class="mt-2" aria-live="polite">
          {error && <p role="alert" class="alert mb-2">Could not load addresses: {error}</p>}
          <ul class="free-list" data-testid="free-list">
            {items.map((ip) => {
              const c = claims[ip];
              return (
                <li class="free-item" data-ip={ip}>
                  <span class="mono">{ip}</span>
                  {c?.state === "done"
                    ? (
                      <span class="claimed" role="status" data-testid="claimed">
                        now a host (#{c.hostId})
                      </span>
                    )
                    : p.canClaim !== false && (
                      <button
                        type="button"
                        class="btn btn-quiet btn-small"
                        disabled={c?.state === "busy"}
                        onClick={() => claim(ip)}
                        aria-label={`Claim ${ip}`}
                      >
                        {c?.state === "busy" ? "Claiming…" : "Claim"}
                      </button>
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
              Show {pageSize} more
            </button>
          )}
        </div>
      )}
    </div>
  );
}
