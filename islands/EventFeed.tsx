// Island: prepends alert events to the feed as they are recorded (SSE `event: alert`).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { LiveDot } from "@/components/LiveDot.tsx";
import { EventRow, type EventRowData } from "@/components/EventRow.tsx";

export interface EventFeedProps extends Record<string, unknown> {
  /** Only events of these kinds (the page's filter); empty = all. */
  kinds: string[];
  /** Rows kept on the page. */
  max: number;
}

export default function EventFeed(props: EventFeedProps) {
  const [connected, setConnected] = useState(false);
  const [added, setAdded] = useState(0);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource("/api/v1/events");
    source.addEventListener("open", () => setConnected(true));
    source.addEventListener("error", () => setConnected(false));
    source.addEventListener("alert", (m) => {
      const e = JSON.parse((m as MessageEvent).data) as EventRowData;
      if (props.kinds.length > 0 && !props.kinds.includes(e.kind)) return;
      const rows = document.getElementById("event-rows");
      if (!rows) return;
      const tmp = document.createElement("tbody");
      render(<EventRow e={e} />, tmp);
      const row = tmp.firstElementChild;
      if (!row) return;
      row.classList.add("row-new");
      rows.prepend(row);
      while (rows.children.length > props.max) rows.lastElementChild?.remove();
      document.querySelector("[data-testid=events-empty]")?.remove();
      setAdded((n) => n + 1);
    });
    return () => source.close();
  }, []);

  return (
    <span class="live-status flex items-center gap-2" data-testid="event-feed">
      <LiveDot connected={connected} />
      <span class="sr-only" aria-live="polite">
        {added > 0 ? `${added} new events` : ""}
      </span>
    </span>
  );
}
