// The folded address table of a subnet: host rows with status, gap rows with an expand chip island.
import type { AddressHostRow, AddressRow } from "@/services/ipam/mod.ts";
import { island } from "@/web/islands.tsx";
import ExpandChip from "@/islands/ExpandChip.tsx";
import { formatLatency, StatusPill } from "./StatusPill.tsx";

const ExpandChipIsland = island("ExpandChip", ExpandChip);

export interface AddressRowsProps {
  subnetId: number;
  rows: AddressRow[];
  /** Milliseconds since the epoch, for "5 min ago". */
  now: number;
  canClaim: boolean;
}

/** Anchor id of a host row: #ip-198-51-100-10. */
export function hostAnchor(ip: string): string {
  return `ip-${ip.replace(/[.:]/g, "-")}`;
}

/** "just now", "5 min ago", "3 h ago", "12 d ago". */
export function ago(iso: string | null, now: number): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/**
 * One host row; a click on it (or Enter, via KeyboardNav) opens the host drawer, and the address
 * links to the host page for no-JavaScript use. Markup is kept lean on purpose (a /16 page can
 * hold 10,000 rows): cell styling and the columns hidden on small screens come from
 * `.address-table` rules in static/app.css.
 */
function HostRow(p: { h: AddressHostRow; now: number }) {
  const h = p.h;
  const name = h.hostname_override ?? h.hostname;
  return (
    <tr id={hostAnchor(h.ip)} data-ip={h.ip} data-status={h.status} data-host-id={h.id}>
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
      </td>
      <td>
        {name ?? <span class="muted">—</span>}
        {h.description && <div class="text-sm muted">{h.description}</div>}
      </td>
      <td title={h.last_seen_at ?? undefined}>{ago(h.last_seen_at, p.now)}</td>
      <td>{h.latency_ms === null ? "" : formatLatency(h.latency_ms)}</td>
      <td>{h.tags.map((t) => <span key={t} class="chip">{t}</span>)}</td>
    </tr>
  );
}

export function AddressRows(p: AddressRowsProps) {
  return (
    <table class="table address-table" data-testid="address-table">
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
        {p.rows.map((r) =>
          r.kind === "host"
            ? <HostRow key={r.ip} h={r} now={p.now} />
            : (
              <tr key={r.first} class="gap" data-first={r.first} data-last={r.last}>
                <td colSpan={6}>
                  <ExpandChipIsland
                    subnetId={p.subnetId}
                    first={r.first}
                    last={r.last}
                    count={r.count}
                    {...(p.canClaim ? {} : { canClaim: false })}
                  />
                </td>
              </tr>
            )
        )}
      </tbody>
    </table>
  );
}
