// A host's change events (up/down flips, discovery, renames, port changes) as a timeline, newest first.
import { type EventLike, eventText, formatUtc, timeAgo } from "../shared/host_detail_format.ts";

export interface HostEventsProps {
  events: Array<EventLike & { id: number }>;
  now: number;
}

export function HostEvents(p: HostEventsProps) {
  if (p.events.length === 0) {
    return <p class="muted" data-testid="no-events">No events yet.</p>;
  }
  return (
    <ol class="hd-events" data-testid="host-events">
      {p.events.map((e) => (
        <li key={e.id} class="hd-event" data-kind={e.kind}>
          <time dateTime={e.ts} title={formatUtc(e.ts)}>{timeAgo(e.ts, p.now)}</time>
          <span class="hd-event-text">{eventText(e)}</span>
        </li>
      ))}
    </ol>
  );
}
