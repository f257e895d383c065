// Server-rendered alert views: a table of events (feed, dashboard) and the "Down now" list.
import type { AlertEvent, DownHost } from "@/services/alerts/mod.ts";
import { formatAge } from "@/shared/state_view.ts";
import { EventRow } from "./EventRow.tsx";

export function EventTable(p: { events: AlertEvent[]; caption: string; live?: boolean }) {
  return (
    <table class="table" data-testid="event-table">
      <caption class="sr-only">{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">When (UTC)</th>
          <th scope="col">Event</th>
          <th scope="col">What</th>
        </tr>
      </thead>
      <tbody id={p.live ? "event-rows" : undefined}>
        {p.events.map((e) => <EventRow key={e.id ?? e.ts} e={e} />)}
      </tbody>
    </table>
  );
}

export function DownNow(p: { hosts: DownHost[]; total: number; now: number }) {
  if (p.hosts.length === 0) {
    return <p class="muted" data-testid="down-empty">Nothing is down.</p>;
  }
  return (
    <ul class="flex flex-col gap-1" data-testid="down-now">
      {p.hosts.map((h) => (
        <li class="flex flex-wrap gap-2 items-baseline">
          <span class="pill pill-down">Down</span>
          <a class="link mono" href={`/hosts/${h.host_id}`}>{h.ip}</a>
          {h.hostname && <span>{h.hostname}</span>}
          <span class="muted text-sm">
            down for {formatAge(p.now - Date.parse(h.since))}
            {h.subnet_cidr && ` · ${h.subnet_cidr}`}
          </span>
        </li>
      ))}
      {p.total > p.hosts.length && (
        <li class="muted text-sm">and {p.total - p.hosts.length} more</li>
      )}
    </ul>
  );
}
