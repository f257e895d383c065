// Server-rendered alert views: a table of events (feed, dashboard).
import type { AlertEvent } from "@/services/alerts/mod.ts";
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
